package io.sagalog.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The text {@code sagalog bench} prints at the end: a Markdown table of the runs, notes on how to read it, Kafka
 * writes per transaction by topic, failures, the baselines and Sagalog's ratios to them, and the command line and
 * date that produced it. Markdown, so the output can be pasted into a document or an issue as is; and a pure
 * function of the results, so its format is tested without running anything.
 */
final class SummaryTable {
    /** CPU components in the order the CPU cell lists them: the system under test first. */
    private static final List<String> CPU_ORDER = List.of(ComponentCpu.ENGINE, ComponentCpu.BROKER,
            ComponentCpu.INGEST_HTTP, ComponentCpu.PARTICIPANTS, ComponentCpu.LOAD, ComponentCpu.JVM,
            ComponentCpu.OTHER, BenchRun.UNATTRIBUTED);
    /** Per-topic figures below this many records per transaction are left out of the topic lines. */
    private static final double TOPIC_MIN_RECORDS = 0.05;

    private SummaryTable() {
    }

    /**
     * One run as the summary needs it.
     *
     * @param failureSamples the first few distinct failure messages
     * @param perTransaction Kafka writes per transaction by topic, or null if not measured
     * @param applicationId  the engine's application id, shortened to {@code <engine>} in topic names
     */
    record Row(BenchResult result, List<String> failureSamples, KafkaFootprint.PerTransaction perTransaction,
               String applicationId) {
        Row {
            failureSamples = failureSamples == null ? List.of() : List.copyOf(failureSamples);
        }
    }

    /**
     * The whole summary.
     *
     * @param heading  the first lines (what ran, on what)
     * @param baselineWindow e.g. {@code 10 s warmup, 10 s measured}
     * @param command  the command line that produced it
     * @param date     when
     */
    static String render(String heading, List<Row> rows, List<MeasuredBaseline> baselines, String baselineWindow,
                         String command, String date) {
        StringBuilder s = new StringBuilder();
        s.append(heading).append("\n\n");
        s.append(resultsTable(rows.stream().map(Row::result).toList()));
        s.append('\n').append(notes(rows.stream().map(Row::result).toList()));
        List<String> topics = new ArrayList<>();
        for (Row row : rows) {
            if (row.perTransaction() != null) {
                topics.add("- " + label(row.result()) + ": " + topicsLine(row.perTransaction(), row.applicationId()));
            }
        }
        if (!topics.isEmpty()) {
            s.append("\nKafka writes per transaction by topic (records, bytes; internal topics included):\n");
            topics.forEach(t -> s.append(t).append('\n'));
        }
        List<String> failures = new ArrayList<>();
        for (Row row : rows) {
            if (!row.failureSamples().isEmpty()) {
                failures.add("- " + label(row.result()) + ": " + String.join(" | ", row.failureSamples()));
            }
        }
        if (!failures.isEmpty()) {
            s.append("\nFailures (first distinct messages):\n");
            failures.forEach(f -> s.append(f).append('\n'));
        }
        if (!baselines.isEmpty()) {
            s.append("\nBaselines (same broker, measured before the Sagalog runs; ").append(baselineWindow)
                    .append(" each):\n\n");
            s.append(baselinesTable(baselines)).append('\n');
            for (MeasuredBaseline b : baselines) {
                s.append("- ").append(b.result().name()).append(": ").append(b.result().notes()).append('\n');
            }
            List<String> ratios = new ArrayList<>();
            for (Row row : rows) {
                ratios.addAll(Ratios.lines(row.result(), baselines));
            }
            if (!ratios.isEmpty()) {
                s.append("\nSagalog against the baselines (same record size; Streams under the same guarantee):\n");
                ratios.forEach(r -> s.append(r).append('\n'));
            }
        }
        s.append("\nCommand: ").append(command).append('\n');
        s.append("Date: ").append(date).append('\n');
        return s.toString();
    }

    /** The results as a Markdown table, one row per run. */
    static String resultsTable(List<BenchResult> results) {
        StringBuilder s = new StringBuilder();
        s.append("| workload | mode | load | guarantee | tx/s | steps/s | p50 ms | p95 ms | p99 ms | max ms | failed "
                + "| records/tx | bytes/tx | CPU s | heap MB |\n");
        s.append("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
        for (BenchResult r : results) {
            s.append("| ").append(String.join(" | ", r.workload(), r.mode(), load(r), r.guarantee(),
                    fixed(r.completedPerSecond(), 0), fixed(r.stepsPerSecond(), 0), fixed(r.p50Ms(), 1),
                    fixed(r.p95Ms(), 1), fixed(r.p99Ms(), 1), fixed(r.maxMs(), 1), failed(r),
                    fixed(r.recordsPerTx(), 1), fixed(r.bytesPerTx(), 0), cpu(r.cpuSecondsByComponent()),
                    fixed(r.heapMb(), 0))).append(" |\n");
        }
        return s.toString();
    }

    private static String notes(List<BenchResult> results) {
        StringBuilder s = new StringBuilder();
        s.append("- latency: from submit to the answer of POST /v1/transactions?wait=").append(SubmitClient.WAIT)
                .append(", which comes once the transaction settled; open loops count from the intended send time "
                        + "(corrected for coordinated omission); incomplete requests count at the latency they had "
                        + "reached.\n");
        Set<Workload> workloads = new LinkedHashSet<>();
        results.forEach(r -> workloads.add(Workload.named(r.workload())));
        StringBuilder calls = new StringBuilder();
        for (Workload w : workloads) {
            calls.append(calls.length() == 0 ? "" : ", ").append(w.label()).append(' ')
                    .append(number(w.participantCallsPerTransaction()));
        }
        s.append("- steps/s: participant calls (actions and compensations) per second = tx/s x calls per "
                + "transaction (").append(calls).append(").\n");
        s.append("- failed: requests that failed or settled other than expected; incomplete: still unanswered when "
                + "the run gave up on them.\n");
        s.append("- records/tx, bytes/tx: everything written to Kafka (Sagalog's topics, this engine's changelogs, "
                + "__consumer_offsets and __transaction_state) between broker snapshots at the two edges of the "
                + "measured window, divided by the transactions that settled between them. Approximate: work "
                + "straddles the edges (it balances out in a steady state, and is overstated while a backlog "
                + "grows); bytes are log growth on disk.\n");
        s.append("- CPU s: CPU seconds in the measured window by component; all components share one JVM and the "
                + "machine's cores. heap MB: the process's heap in use at the end of the window, garbage "
                + "included.\n");
        return s.toString();
    }

    /** The baselines as a Markdown table. */
    static String baselinesTable(List<MeasuredBaseline> baselines) {
        StringBuilder s = new StringBuilder();
        s.append("| baseline | throughput | unit | p50 ms | p99 ms | MB/s |\n");
        s.append("|---|---:|---|---:|---:|---:|\n");
        for (MeasuredBaseline b : baselines) {
            BaselineResult r = b.result();
            s.append("| ").append(String.join(" | ", r.name(), fixed(r.throughputPerSecond(), 0), r.unit(),
                    fixed(r.p50Ms(), 1), fixed(r.p99Ms(), 1), fixed(r.megabytesPerSecond(), 1))).append(" |\n");
        }
        return s.toString();
    }

    /** E.g. {@code S3 closed 64 clients at_least_once}: the same words as {@link Configuration#label()}. */
    static String label(BenchResult r) {
        return r.workload() + " " + r.mode() + " " + load(r) + " " + r.guarantee();
    }

    /** {@code 64 clients} or {@code 250/s}. */
    static String load(BenchResult r) {
        String load = r.offeredRatePerSecond() != null ? Configuration.rate(r.offeredRatePerSecond()) + "/s"
                : r.concurrency() == null ? "-" : r.concurrency() + " clients";
        return load + Configuration.prefillSuffix(r.finishedInStores());
    }

    /** {@code 3}, or {@code 3 (+2 incomplete)}. */
    static String failed(BenchResult r) {
        return r.failed() + (r.incomplete() > 0 ? " (+" + r.incomplete() + " incomplete)" : "");
    }

    /**
     * {@code engine 12.1 / broker 20.3 / ... (total 40.1)}: components of at least 0.05 s, the system under test
     * first; the total is over all components.
     */
    static String cpu(Map<String, Double> seconds) {
        if (seconds.isEmpty()) {
            return "-";
        }
        List<String> names = new ArrayList<>(seconds.keySet());
        names.sort(Comparator.comparingInt(n -> CPU_ORDER.contains(n) ? CPU_ORDER.indexOf(n) : CPU_ORDER.size()));
        StringBuilder s = new StringBuilder();
        double total = 0;
        for (String name : names) {
            double v = seconds.get(name);
            if (Double.isNaN(v)) {
                continue;
            }
            total += v;
            if (v >= 0.05) {
                s.append(s.length() == 0 ? "" : " / ").append(name).append(' ').append(fixed(v, 1));
            }
        }
        return s.append(s.length() == 0 ? "" : " ").append("(total ").append(fixed(total, 1)).append(')').toString();
    }

    /**
     * {@code sagalog.control 4.0 (4.6 KB), <engine>-tx-state-changelog 3.0 (9.1 KB), ...}: topics by records per
     * transaction, most first; the engine's application id is shortened to {@code <engine>}.
     */
    static String topicsLine(KafkaFootprint.PerTransaction perTx, String applicationId) {
        List<Map.Entry<String, Double>> topics = new ArrayList<>(perTx.recordsByTopic().entrySet());
        topics.sort(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, Double> t : topics) {
            if (t.getValue() < TOPIC_MIN_RECORDS) {
                continue;
            }
            String name = applicationId != null && t.getKey().startsWith(applicationId + "-")
                    ? "<engine>" + t.getKey().substring(applicationId.length()) : t.getKey();
            s.append(s.length() == 0 ? "" : ", ").append(name).append(' ').append(fixed(t.getValue(), 1))
                    .append(" (").append(bytes(perTx.bytesByTopic().getOrDefault(t.getKey(), 0.0))).append(')');
        }
        return s.length() == 0 ? "(nothing)" : s.toString();
    }

    /** Bytes as B or KB (1024), one decimal for KB. */
    static String bytes(double b) {
        return Math.abs(b) < 1024 ? fixed(b, 0) + " B" : fixed(b / 1024, 1) + " KB";
    }

    /** Fixed decimals; {@code -} for null or NaN. */
    static String fixed(Double v, int decimals) {
        if (v == null || v.isNaN() || v.isInfinite()) {
            return "-";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** Up to two decimals, trailing zeros dropped: 3, 3.4. */
    private static String number(double v) {
        return java.math.BigDecimal.valueOf(v).setScale(2, java.math.RoundingMode.HALF_UP).stripTrailingZeros()
                .toPlainString();
    }
}
