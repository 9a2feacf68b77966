package io.sagalog.app;

import io.sagalog.app.cluster.EngineInstance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The restores an engine instance logged (its restore listener, {@code SagaEngine.RestoreProgress}: one line per store
 * and partition restored) from a mark on: the records it restored and whether any was a full restore (from offset 0),
 * which during a fail-over is in its critical path (the task serves nothing until its stores are restored).
 */
record RestoreLog(int restores, long records, int fullRestores, long fullRecords, long longestMillis) {
    private static final Pattern LINE = Pattern.compile(
            ".*restored (\\d+) records into \\S+ \\(\\S+\\) in (-?\\d+) ms from offset (-?\\d+): (full restore|caught up).*");

    /** The number of lines in {@code engine}'s log now: the mark to read from later. */
    static int mark(EngineInstance engine) throws IOException {
        return lines(engine).size();
    }

    static RestoreLog since(EngineInstance engine, int mark) throws IOException {
        List<String> all = lines(engine);
        int restores = 0;
        int full = 0;
        long records = 0;
        long fullRecords = 0;
        long longest = 0;
        for (String line : all.subList(Math.min(mark, all.size()), all.size())) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                restores++;
                records += n;
                longest = Math.max(longest, Long.parseLong(m.group(2)));
                if (m.group(4).equals("full restore")) {
                    full++;
                    fullRecords += n;
                }
            }
        }
        return new RestoreLog(restores, records, full, fullRecords, longest);
    }

    private static List<String> lines(EngineInstance engine) throws IOException {
        return Files.exists(engine.process().log())
                ? Files.readAllLines(engine.process().log(), StandardCharsets.UTF_8) : List.of();
    }

    @Override
    public String toString() {
        return restores == 0 ? "nothing restored"
                : String.format("%d records in %d restores (longest %d ms), full: %s", records, restores, longestMillis,
                        fullRestores == 0 ? "none" : fullRestores + " (" + fullRecords + " records)");
    }
}
