package io.sagalog.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes bench results to files: JSON to keep every figure for later comparison or tooling, and CSV for a
 * spreadsheet. Printed tables scroll away and cannot be diffed between runs on different days or machines, so the
 * JSON also records the environment the figures came from (cores, JVM, OS), without which a number cannot be
 * judged.
 */
public final class ResultFiles {
    /** CSV header of {@link #resultsCsv}, before the per-component CPU columns. */
    public static final List<String> RESULT_COLUMNS = List.of("workload", "mode", "guarantee", "offered_rate_per_s",
            "concurrency", "measured_s", "completed_per_s", "steps_per_s", "p50_ms", "p95_ms", "p99_ms", "max_ms",
            "failed", "incomplete", "records_per_tx", "bytes_per_tx", "heap_mb", "finished_in_stores");
    /** CSV header of {@link #baselinesCsv}. */
    public static final List<String> BASELINE_COLUMNS = List.of("name", "throughput_per_s", "unit", "p50_ms",
            "p99_ms", "mb_per_s", "notes");

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ResultFiles() {
    }

    /** Everything one bench run wrote. */
    public record Contents(Map<String, String> environment, List<BenchResult> results,
                           List<BaselineResult> baselines) {
        public Contents {
            environment = environment == null ? Map.of() : new LinkedHashMap<>(environment);
            results = results == null ? List.of() : List.copyOf(results);
            baselines = baselines == null ? List.of() : List.copyOf(baselines);
        }
    }

    /**
     * Writes {@code <name>.json} (environment, results and baselines), {@code <name>.csv} (results) and
     * {@code <name>-baselines.csv} into {@code dir}, creating it if needed.
     *
     * @return the files written
     */
    public static List<Path> write(Path dir, String name, List<BenchResult> results, List<BaselineResult> baselines)
            throws IOException {
        return write(dir, name, Map.of(), results, baselines);
    }

    /**
     * {@link #write(Path, String, List, List)} with more entries in the JSON's environment, after the standard
     * ones: say the command line that produced the figures and how to read them, which the figures alone do not
     * tell.
     */
    public static List<Path> write(Path dir, String name, Map<String, String> moreEnvironment,
                                   List<BenchResult> results, List<BaselineResult> baselines) throws IOException {
        Files.createDirectories(dir);
        Path json = dir.resolve(name + ".json");
        Path csv = dir.resolve(name + ".csv");
        Path baselineCsv = dir.resolve(name + "-baselines.csv");
        Map<String, String> env = environment();
        env.putAll(moreEnvironment);
        writeJson(json, new Contents(env, results, baselines));
        Files.writeString(csv, resultsCsv(results), StandardCharsets.UTF_8);
        Files.writeString(baselineCsv, baselinesCsv(baselines), StandardCharsets.UTF_8);
        return List.of(json, csv, baselineCsv);
    }

    public static void writeJson(Path file, Contents contents) throws IOException {
        JSON.writeValue(file.toFile(), contents);
    }

    public static Contents readJson(Path file) throws IOException {
        return JSON.readValue(file.toFile(), Contents.class);
    }

    /** Where, when and on what the figures were taken. */
    public static Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("date", OffsetDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        env.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        env.put("maxHeapMb", Long.toString(Runtime.getRuntime().maxMemory() / (1024 * 1024)));
        env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        return env;
    }

    /**
     * Results as CSV (RFC 4180, CRLF line ends): the {@link #RESULT_COLUMNS}, then one {@code cpu_<component>_s}
     * column for each component any row has, in order of first appearance. Missing figures are empty cells.
     */
    public static String resultsCsv(List<BenchResult> results) {
        Set<String> components = new LinkedHashSet<>();
        for (BenchResult r : results) {
            components.addAll(r.cpuSecondsByComponent().keySet());
        }
        List<String> header = new ArrayList<>(RESULT_COLUMNS);
        components.forEach(c -> header.add("cpu_" + c + "_s"));
        StringBuilder out = new StringBuilder();
        row(out, header);
        for (BenchResult r : results) {
            List<String> cells = new ArrayList<>(List.of(text(r.workload()), text(r.mode()), text(r.guarantee()),
                    num(r.offeredRatePerSecond()), r.concurrency() == null ? "" : r.concurrency().toString(),
                    num(r.measuredSeconds()), num(r.completedPerSecond()), num(r.stepsPerSecond()), num(r.p50Ms()),
                    num(r.p95Ms()), num(r.p99Ms()), num(r.maxMs()), Long.toString(r.failed()),
                    Long.toString(r.incomplete()), num(r.recordsPerTx()), num(r.bytesPerTx()), num(r.heapMb()),
                    Long.toString(r.finishedInStores())));
            for (String c : components) {
                cells.add(num(r.cpuSecondsByComponent().get(c)));
            }
            row(out, cells);
        }
        return out.toString();
    }

    /** Baselines as CSV with the {@link #BASELINE_COLUMNS}. */
    public static String baselinesCsv(List<BaselineResult> baselines) {
        StringBuilder out = new StringBuilder();
        row(out, BASELINE_COLUMNS);
        for (BaselineResult b : baselines) {
            row(out, List.of(text(b.name()), num(b.throughputPerSecond()), text(b.unit()), num(b.p50Ms()),
                    num(b.p99Ms()), num(b.megabytesPerSecond()), text(b.notes())));
        }
        return out.toString();
    }

    private static void row(StringBuilder out, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            out.append(i == 0 ? "" : ",").append(csvField(cells.get(i)));
        }
        out.append("\r\n");
    }

    /** Quotes a field when it holds a comma, a quote, a line break or edge spaces, doubling inner quotes. */
    static String csvField(String value) {
        if (value.isEmpty()) {
            return value;
        }
        boolean quote = value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\n') >= 0
                || value.indexOf('\r') >= 0 || value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' ';
        return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }

    private static String text(String s) {
        return s == null ? "" : s;
    }

    /** Plain decimal, at most 3 decimals, no exponent; empty for null, NaN and infinities. */
    static String num(Double d) {
        if (d == null || d.isNaN() || d.isInfinite()) {
            return "";
        }
        BigDecimal v = BigDecimal.valueOf(d).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros();
        return v.signum() == 0 ? "0" : v.toPlainString();
    }
}
