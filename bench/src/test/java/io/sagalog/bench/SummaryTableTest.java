package io.sagalog.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SummaryTableTest {
    private static Map<String, Double> cpu() {
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpu.put("broker", 20.31);
        cpu.put("engine", 12.07);
        cpu.put("ingest-http", 3.0);
        cpu.put("participants", 2.14);
        cpu.put("load", 1.5);
        cpu.put("jvm", 0.04);
        cpu.put("other", 0.0);
        cpu.put("unattributed", 0.2);
        return cpu;
    }

    private static BenchResult closed() {
        return new BenchResult("S3", "closed", "at_least_once", null, 64, 20, 410.4, 1231.2, 120.46, 180.0, 250.25,
                900.0, 3, 2, 14.23, 9876.4, cpu(), 512.3);
    }

    private static BenchResult open() {
        return new BenchResult("S3-comp", "open", "exactly_once_v2", 250.0, null, 20, 249.9, 849.66, 30.0, 45.0,
                Double.NaN, 95.5, 0, 0, null, null, Map.of(), null);
    }

    @Test
    void theResultsTableHasOneRowPerRun() {
        String table = SummaryTable.resultsTable(List.of(closed(), open()));
        assertThat(table.split("\n")).containsExactly(
                "| workload | mode | load | guarantee | tx/s | steps/s | p50 ms | p95 ms | p99 ms | max ms | failed "
                        + "| records/tx | bytes/tx | CPU s | heap MB |",
                "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
                "| S3 | closed | 64 clients | at_least_once | 410 | 1231 | 120.5 | 180.0 | 250.3 | 900.0 "
                        + "| 3 (+2 incomplete) | 14.2 | 9876 | engine 12.1 / broker 20.3 / ingest-http 3.0 / "
                        + "participants 2.1 / load 1.5 / unattributed 0.2 (total 39.3) | 512 |",
                "| S3-comp | open | 250/s | exactly_once_v2 | 250 | 850 | 30.0 | 45.0 | - | 95.5 | 0 | - | - "
                        + "| - | - |");
    }

    @Test
    void theCpuCellPutsTheSystemUnderTestFirstAndLeavesOutTheNegligible() {
        assertThat(SummaryTable.cpu(cpu())).isEqualTo("engine 12.1 / broker 20.3 / ingest-http 3.0 / "
                + "participants 2.1 / load 1.5 / unattributed 0.2 (total 39.3)");
        assertThat(SummaryTable.cpu(Map.of("zeta", 1.0, "engine", 2.0))).isEqualTo("engine 2.0 / zeta 1.0 (total 3.0)");
        assertThat(SummaryTable.cpu(Map.of())).isEqualTo("-");
    }

    @Test
    void topicsAreListedByRecordsWithTheEngineShortened() {
        String app = "bench-s3-closed-64-at-least-once-1a2b3c4d";
        KafkaFootprint.Delta delta = new KafkaFootprint.Delta(Map.of(
                "sagalog.control", new KafkaFootprint.TopicDelta(4000, 4_700_000),
                app + "-tx-state-changelog", new KafkaFootprint.TopicDelta(3000, 9_000_000),
                "sagalog.definitions", new KafkaFootprint.TopicDelta(1, 300)),
                Map.of("__consumer_offsets", new KafkaFootprint.TopicDelta(500, 60_000)));
        String line = SummaryTable.topicsLine(delta.perTransaction(1000), app);
        assertThat(line).isEqualTo("sagalog.control 4.0 (4.6 KB), <engine>-tx-state-changelog 3.0 (8.8 KB), "
                + "__consumer_offsets 0.5 (60 B)");
    }

    @Test
    void theSummaryHasTheTablesRatiosCommandAndDate() {
        List<MeasuredBaseline> baselines = List.of(RatiosTest.producer(1024, 13_000), RatiosTest.vertx(1024, 820),
                RatiosTest.streams("at_least_once", 1024, 4100));
        String summary = SummaryTable.render("## Sagalog bench", List.of(
                        new SummaryTable.Row(closed(), List.of("HTTP 202: not settled when the wait ran out (status RUNNING)"),
                                null, "app"),
                        new SummaryTable.Row(open(), List.of(), null, "app2")),
                baselines, "10 s warmup, 10 s measured", "sagalog bench --workload S3", "2026-05-04T10:00:00Z");
        assertThat(summary).startsWith("## Sagalog bench\n\n| workload | mode |");
        assertThat(summary).contains("calls per transaction (S3 3, S3-comp 3.4)");
        assertThat(summary).contains("- S3 closed 64 clients at_least_once: HTTP 202: not settled when the wait ran "
                + "out (status RUNNING)");
        assertThat(summary).contains("| baseline | throughput | unit | p50 ms | p99 ms | MB/s |\n");
        assertThat(summary).contains("| vertx append 1024 B | 820 | req/s | 2.0 | 9.0 | 0.8 |\n");
        assertThat(summary).contains("S3 closed 64 clients at_least_once: 410 tx/s = 0.032 x producer records/s");
        // No exactly-once pass-through was measured: that run is only compared with the guarantee-free baselines.
        assertThat(summary).contains("S3-comp open 250/s exactly_once_v2: 250 tx/s = 0.019 x producer records/s, "
                + "0.3 x Vert.x append req/s\n");
        assertThat(summary).contains("Approximate", "settled between them");
        assertThat(summary).endsWith("\nCommand: sagalog bench --workload S3\nDate: 2026-05-04T10:00:00Z\n");
        // The ratios come after the baselines, the command after everything.
        assertThat(summary.indexOf("| baseline |")).isLessThan(summary.indexOf("410 tx/s ="));
    }

    @Test
    void withoutBaselinesThereAreNoBaselineSections() {
        String summary = SummaryTable.render("## h", List.of(new SummaryTable.Row(closed(), List.of(), null, "a")),
                List.of(), "-", "sagalog bench --no-baselines", "today");
        assertThat(summary).doesNotContain("Baselines", "against the baselines", "Failures");
    }

    @Test
    void numbers() {
        assertThat(SummaryTable.fixed(Double.NaN, 1)).isEqualTo("-");
        assertThat(SummaryTable.fixed(null, 1)).isEqualTo("-");
        assertThat(SummaryTable.fixed(1.25, 1)).isEqualTo("1.3");
        assertThat(SummaryTable.bytes(1023)).isEqualTo("1023 B");
        assertThat(SummaryTable.bytes(11 * 1024 + 512)).isEqualTo("11.5 KB");
    }
}
