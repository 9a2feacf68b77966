package io.sagalog.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** What {@code sagalog bench} reports after its runs: the summary's heading and rows, and the result files. */
final class BenchReport {
    private static final DateTimeFormatter FILE_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private BenchReport() {
    }

    static List<SummaryTable.Row> rows(List<BenchRun.Outcome> outcomes) {
        return outcomes.stream().map(o -> new SummaryTable.Row(o.result(), o.run().failureSamples(),
                o.perTransaction(), o.applicationId())).toList();
    }

    static String heading(BenchOptions o, String broker, LocalDateTime started) {
        StringBuilder s = new StringBuilder();
        s.append("## Sagalog bench, ").append(started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")))
                .append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.runtime.version")).append(", ").append(broker).append("\n\n");
        for (Workload w : o.workloads()) {
            s.append("- ").append(w.label()).append(": ").append(w.description()).append('\n');
        }
        s.append("- each configuration: a fresh engine (one stream thread, ").append(BenchRun.PARTITIONS)
                .append(" partitions), ").append(o.warmup().toSeconds()).append(" s warmup, ")
                .append(o.duration().toSeconds()).append(" s measured; closed loop = N clients each waiting for "
                        + "its answer; open loop = fixed arrival rate");
        return s.toString();
    }

    static void writeFiles(PrintStream stdout, BenchOptions o, LocalDateTime started, String command,
                                   String broker, List<BenchRun.Outcome> outcomes,
                                   List<MeasuredBaseline> baselines) throws IOException {
        String name = "bench-" + started.format(FILE_STAMP);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("command", command);
        env.put("broker", broker);
        env.put("warmupSeconds", Long.toString(o.warmup().toSeconds()));
        env.put("durationSeconds", Long.toString(o.duration().toSeconds()));
        env.put("latency", "submit to the answer of POST /v1/transactions?wait=" + SubmitClient.WAIT
                + "; open loops from the intended send time (corrected for coordinated omission)");
        env.put("stepsPerSecond", "participant calls (actions and compensations) per second");
        env.put("recordsAndBytesPerTx", "Kafka writes (Sagalog topics, the engine's changelogs, internal topics) "
                + "between broker snapshots at the measured window's edges, divided by the transactions settled "
                + "between them; approximate");
        List<Path> files = new ArrayList<>(ResultFiles.write(o.out(), name, env,
                outcomes.stream().map(BenchRun.Outcome::result).toList(),
                baselines.stream().map(MeasuredBaseline::result).toList()));
        Path svg = o.out().resolve(name + "-latency.svg");
        Files.writeString(svg, SvgPlot.latencyOverTime(outcomes.stream()
                        .map(oc -> oc.run().timeline().named(oc.configuration().label())).toList(),
                "Sagalog bench " + started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))
                        + ": latency over the measured window"), StandardCharsets.UTF_8);
        files.add(svg);
        stdout.println("\nWrote " + files.stream().map(Path::toString).collect(Collectors.joining(", ")));
    }
}
