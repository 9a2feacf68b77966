package io.sagalog.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultFilesTest {
    @TempDir
    Path dir;

    private static BenchResult closed() {
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpu.put("broker", 12.5);
        cpu.put("engine", 20.25);
        return new BenchResult("saga, 3 steps \"1 KB\"", "closed", "exactly_once_v2", null, 16, 20.0, 812.345,
                2437.035, 18.4, 25.1, 40.9, 120.0, 2, 0, 14.5, 9876.5, cpu, 512.0);
    }

    private static BenchResult open() {
        return new BenchResult("saga-3", "open", "at_least_once", 500.0, null, 20.0, 499.9, 1499.7, 9.1,
                12.0, Double.NaN, 33.3, 0, 3, null, null, Map.of("load", 1.0), null);
    }

    private static BaselineResult baseline() {
        return new BaselineResult("producer acks=all 1024 B", 51234.5, "records/s", null, null, 52.46,
                "idempotent, acks=all,\nlinger 5 ms");
    }

    @Test
    void jsonRoundTrips() throws Exception {
        List<Path> files = ResultFiles.write(dir, "bench", List.of(closed(), open()), List.of(baseline()));
        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactly("bench.json", "bench.csv", "bench-baselines.csv");

        ResultFiles.Contents back = ResultFiles.readJson(dir.resolve("bench.json"));
        assertThat(back.results()).containsExactly(closed(), open()); // NaN survives (as "NaN"), nulls stay null
        assertThat(back.baselines()).containsExactly(baseline());
        assertThat(back.environment()).containsKeys("date", "cores", "java", "os");
        assertThat(back.results().get(0).cpuSecondsByComponent().keySet()).containsExactly("broker", "engine");
    }

    @Test
    void moreEnvironmentIsKeptAfterTheStandardEntries() throws Exception {
        ResultFiles.write(dir, "bench", Map.of("command", "sagalog bench --quick"), List.of(closed()), List.of());

        ResultFiles.Contents back = ResultFiles.readJson(dir.resolve("bench.json"));
        assertThat(back.environment()).containsEntry("command", "sagalog bench --quick").containsKeys("date", "cores");
        assertThat(back.environment().keySet()).last().isEqualTo("command");
    }

    @Test
    void csvHasTheHeaderAndQuotesWhatNeedsIt() throws Exception {
        ResultFiles.write(dir, "bench", List.of(closed(), open()), List.of(baseline()));

        String csv = Files.readString(dir.resolve("bench.csv"));
        String[] lines = csv.split("\r\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).isEqualTo("workload,mode,guarantee,offered_rate_per_s,concurrency,measured_s,"
                + "completed_per_s,steps_per_s,p50_ms,p95_ms,p99_ms,max_ms,failed,incomplete,records_per_tx,"
                + "bytes_per_tx,heap_mb,finished_in_stores,cpu_broker_s,cpu_engine_s,cpu_load_s");
        assertThat(lines[1]).isEqualTo("\"saga, 3 steps \"\"1 KB\"\"\",closed,exactly_once_v2,,16,20,812.345,"
                + "2437.035,18.4,25.1,40.9,120,2,0,14.5,9876.5,512,0,12.5,20.25,");
        assertThat(lines[2]).isEqualTo("saga-3,open,at_least_once,500,,20,499.9,1499.7,9.1,12,,33.3,0,3,,,,0,,,1");

        String baselines = Files.readString(dir.resolve("bench-baselines.csv"));
        assertThat(baselines).isEqualTo("name,throughput_per_s,unit,p50_ms,p99_ms,mb_per_s,notes\r\n"
                + "producer acks=all 1024 B,51234.5,records/s,,,52.46,\"idempotent, acks=all,\nlinger 5 ms\"\r\n");
    }

    @Test
    void fieldsAreQuotedOnlyWhenNeeded() {
        assertThat(ResultFiles.csvField("plain")).isEqualTo("plain");
        assertThat(ResultFiles.csvField("a,b")).isEqualTo("\"a,b\"");
        assertThat(ResultFiles.csvField("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(ResultFiles.csvField(" padded")).isEqualTo("\" padded\"");
        assertThat(ResultFiles.csvField("")).isEmpty();
        assertThat(ResultFiles.num(1e7)).isEqualTo("10000000");
        assertThat(ResultFiles.num(0.00049)).isEqualTo("0");
        assertThat(ResultFiles.num(Double.POSITIVE_INFINITY)).isEmpty();
    }
}
