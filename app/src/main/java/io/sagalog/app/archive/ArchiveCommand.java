package io.sagalog.app.archive;

import io.sagalog.schemas.KafkaClients;
import java.io.BufferedWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code sagalog archive export}: expired transactions from the archive topic to a JSON-lines file. */
@Command(name = "archive", mixinStandardHelpOptions = true,
        description = "The archive of expired transactions (topic <prefix>archive; docs/retention.md).",
        subcommands = {ArchiveCommand.Export.class})
public final class ArchiveCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Writes the archived transactions archived between --from and --to, one JSON document a "
                    + "line, with a progress bar on stderr.")
    static final class Export implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @picocli.CommandLine.Mixin
        io.sagalog.app.config.ConfigOption config;

        @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers, e.g. localhost:9092.")
        String bootstrap;

        @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client properties (security.protocol, sasl.*, ssl.*, ...).")
        Path kafkaConfig;

        @Option(names = "--topic-prefix", defaultValue = "sagalog.", paramLabel = "PREFIX", description = "Prefix of every Sagalog topic (default: ${DEFAULT-VALUE}).")
        String topicPrefix;

        @Option(names = "--from", paramLabel = "TIME", description = "Archived at or after: 2026-12-01 (UTC midnight) or 2026-12-01T10:00:00Z (default: the start).")
        String from;

        @Option(names = "--to", paramLabel = "TIME", description = "Archived before this time, same forms (default: now).")
        String to;

        @Option(names = "--definition", paramLabel = "NAME", description = "Only transactions of this definition.")
        String definition;

        @Option(names = "--status", paramLabel = "STATUS", description = "Only transactions that ended so: COMPLETED, ROLLED_BACK or RESOLVED.")
        String status;

        @Option(names = "--out", required = true, paramLabel = "FILE.jsonl", description = "Where to write (replaced if it exists).")
        Path out;

        @Override
        public Integer call() throws Exception {
            Instant since = time("--from", from);
            Instant until = time("--to", to);
            if (since != null && until != null && !since.isBefore(until)) {
                throw new ParameterException(spec.commandLine(), "--from must be before --to");
            }
            if (status != null && !java.util.List.of("COMPLETED", "ROLLED_BACK", "RESOLVED").contains(status)) {
                throw new ParameterException(spec.commandLine(), "--status: '" + status
                        + "' is not a final status; use COMPLETED, ROLLED_BACK or RESOLVED (only finished transactions expire)");
            }
            KafkaClients kafka = kafkaConfig == null ? KafkaClients.of(bootstrap) : KafkaClients.load(bootstrap, kafkaConfig);
            String topic = io.sagalog.schemas.TopicNames.of(topicPrefix).archive();
            PrintStream err = System.err;
            ProgressBar bar = new ProgressBar(err);
            ArchiveExport.Result result;
            try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                result = ArchiveExport.run(kafka, topic, new ArchiveExport.Filter(since, until, definition, status),
                        writer, bar::show);
            }
            bar.done();
            err.printf("%d transactions written to %s (%d archive records read%s)%n", result.written(), out,
                    result.read(), result.unreadable() == 0 ? "" : ", " + result.unreadable() + " not JSON, skipped");
            return 0;
        }

        private Instant time(String flag, String text) {
            if (text == null) {
                return null;
            }
            try {
                return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
                        : Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new ParameterException(spec.commandLine(), flag + ": '" + text
                        + "' is not a time; write 2026-12-01 (UTC midnight) or 2026-12-01T10:00:00Z");
            }
        }
    }

    /** A one-line bar on stderr, redrawn at most five times a second. */
    static final class ProgressBar {
        private static final int WIDTH = 30;
        private final PrintStream err;
        private long lastDrawn;

        ProgressBar(PrintStream err) {
            this.err = err;
        }

        void show(long read, long total, long written) {
            long now = System.nanoTime();
            if (read < total && now - lastDrawn < 200_000_000L) {
                return;
            }
            lastDrawn = now;
            err.print("\r" + line(read, total, written));
            err.flush();
        }

        static String line(long read, long total, long written) {
            int filled = total == 0 ? WIDTH : (int) Math.min(WIDTH, read * WIDTH / total);
            long percent = total == 0 ? 100 : read * 100 / total;
            return "[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + percent + "% " + read + "/" + total
                    + " read, " + written + " written";
        }

        void done() {
            err.println();
        }
    }
}
