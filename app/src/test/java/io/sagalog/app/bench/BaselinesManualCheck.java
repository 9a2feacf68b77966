package io.sagalog.app.bench;

import io.sagalog.app.EmbeddedKafka;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Manual check, not a test: starts an embedded broker, runs every baseline for a few seconds with CPU and Kafka
 * footprint accounting around each, a short real-time open loop against the Vert.x endpoint, and writes result
 * files and a plot. It exercises the Kafka-facing code the unit tests cannot (Admin calls, thread names of a real
 * broker) and gives a first set of ceilings for this machine.
 *
 * <p>Run with the test classpath, e.g. {@code java -cp target/classes:target/test-classes:<deps>
 * io.sagalog.app.bench.BaselinesManualCheck [measureSeconds]}.
 */
public final class BaselinesManualCheck {
    private BaselinesManualCheck() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        for (String logger : List.of("org.apache.kafka", "kafka", "state.change.logger")) {
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(logger))
                    .setLevel(ch.qos.logback.classic.Level.ERROR);
        }
        Duration warmup = Duration.ofSeconds(3);
        Duration measure = Duration.ofSeconds(args.length > 0 ? Integer.parseInt(args[0]) : 5);
        int recordBytes = 1024;
        Path dir = Files.createTempDirectory("baselines-check");
        Map<String, String> hints = new LinkedHashMap<>();
        hints.put("bench-baseline-passthrough", ComponentCpu.ENGINE);
        hints.put("bench-baseline-append", ComponentCpu.INGEST_HTTP);
        hints.put("bench-baseline-", ComponentCpu.LOAD);
        List<BaselineResult> results = new ArrayList<>();
        Map<String, Double> otherThreads = new TreeMap<>();

        out.println("Starting embedded Kafka in " + dir);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     kafka.bootstrapServers()))) {
            String servers = kafka.bootstrapServers();
            ProgressListener progress = ProgressListener.printingTo(out, "  ", Duration.ofSeconds(2));
            List<Check> checks = List.of(
                    new Check("producer", () -> ProducerBaseline.run(servers, recordBytes, warmup, measure, progress)),
                    new Check("streams at_least_once", () -> StreamsPassThroughBaseline.run(servers, "at_least_once",
                            recordBytes, warmup, measure, progress)),
                    new Check("streams exactly_once_v2", () -> StreamsPassThroughBaseline.run(servers,
                            "exactly_once_v2", recordBytes, warmup, measure, progress)),
                    new Check("vertx append closed", () -> VertxAppendBaseline.run(servers, 16, recordBytes, warmup,
                            measure, progress)));
            footprintCheck(out, admin, servers);
            for (Check check : checks) {
                out.printf("%n== %s%n", check.name());
                ComponentCpu.Snapshot cpuBefore = ComponentCpu.take();
                ComponentCpu.Tracker tracker = ComponentCpu.Tracker.start(Duration.ofMillis(500));
                BaselineResult r = check.body().run();
                ComponentCpu.Usage cpu = tracker.stop(hints);
                ComponentCpu.Snapshot cpuAfter = ComponentCpu.take();
                results.add(r);
                print(out, r);
                out.printf(Locale.ROOT, "   cpu s (whole run incl. setup, %.1f s wall): %s, unattributed %.2f, "
                        + "gc %.2f s%n", cpu.wallSeconds(), rounded(cpu.cpuSecondsByComponent()),
                        cpu.unattributedCpuSeconds(), cpu.gcSeconds());
                collectOther(cpuBefore, cpuAfter, hints, otherThreads);
            }

            out.printf("%n== vertx append, open loop at half the closed-loop rate%n");
            double rate = Math.max(10, Math.floor(results.get(results.size() - 1).throughputPerSecond() / 2));
            VertxAppendBaseline.Detailed open = VertxAppendBaseline.runOpenLoop(servers, rate, 64, recordBytes,
                    warmup, measure, progress);
            print(out, open.result());
            out.printf(Locale.ROOT, "   issued %d, uncorrected p50 %.2f ms p99 %.2f ms%n", open.run().issued(),
                    open.run().uncorrectedMs(50), open.run().uncorrectedMs(99));
            results.add(open.result());
            VertxAppendBaseline.Detailed closed = VertxAppendBaseline.runDetailed(servers, 16, recordBytes,
                    Duration.ofSeconds(1), measure, ProgressListener.none());
            Path svg = dir.resolve("vertx-append.svg");
            Files.writeString(svg, SvgPlot.latencyOverTime(List.of(closed.run().timeline().named("closed, 16 clients"),
                    open.run().timeline().named(String.format(Locale.ROOT, "open, %.0f req/s", rate))),
                    "Vert.x append baseline"));
            List<Path> files = ResultFiles.write(dir, "baselines", List.of(), results);
            out.printf("%nWrote %s and %s%n", files, svg);
            Map<String, java.util.Set<String>> names = new TreeMap<>();
            ComponentCpu.take().threads().values().forEach(t -> names.computeIfAbsent(ComponentCpu.componentOf(
                    t.name(), hints), c -> new java.util.TreeSet<>()).add(t.name().replaceAll("\\d+", "N")));
            out.println("\nLive threads by component, before shutdown:");
            names.forEach((c, n) -> out.printf("   %s: %s%n", c, n));
        }
        BaselineSupport.deleteRecursively(dir.resolve("kafka")); // gigabytes; the result files stay
        out.println("\nThreads filed under 'other' (cpu s):");
        otherThreads.forEach((name, s) -> out.printf(Locale.ROOT, "   %-70s %.2f%n", name, s));
        out.println("\nSummary:");
        results.forEach(r -> print(out, r));
        System.exit(0);
    }

    /** Writes a known amount to a topic of its own and checks what {@link KafkaFootprint} sees. */
    private static void footprintCheck(PrintStream out, Admin admin, String servers) throws Exception {
        String topic = "bench-footprint-check";
        BaselineSupport.createTopics(admin, servers, List.of(topic), 3);
        KafkaFootprint.Snapshot before = KafkaFootprint.take(admin);
        try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer =
                     new org.apache.kafka.clients.producer.KafkaProducer<>(ProducerBaseline.durableProducer(servers,
                             "bench-footprint-check", 5), new org.apache.kafka.common.serialization.ByteArraySerializer(),
                             new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            byte[] value = BaselineSupport.payload(1000);
            for (long i = 0; i < 1000; i++) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic,
                        BaselineSupport.longKey(i), value));
            }
            producer.flush();
        }
        KafkaFootprint.Delta d = KafkaFootprint.between(before, KafkaFootprint.take(admin));
        KafkaFootprint.PerTransaction per = d.perTransaction(1000);
        out.printf(Locale.ROOT, "%n== footprint check: 1000 records of 1000 B to %s%n   seen: %s; internal %s; "
                + "per record: %.2f records, %.0f bytes%n", topic, d.topics(), d.internalTopics(), per.records(),
                per.bytes());
        BaselineSupport.deleteTopics(admin, List.of(topic));
    }

    private interface Body {
        BaselineResult run() throws Exception;
    }

    private record Check(String name, Body body) {}

    private static void print(PrintStream out, BaselineResult r) {
        out.printf(Locale.ROOT, "-> %-40s %10.0f %-9s %s%s%s%n   %s%n", r.name(), r.throughputPerSecond(), r.unit(),
                r.megabytesPerSecond() == null ? "" : String.format(Locale.ROOT, "%.1f MB/s ", r.megabytesPerSecond()),
                r.p50Ms() == null ? "" : String.format(Locale.ROOT, "p50 %.2f ms ", r.p50Ms()),
                r.p99Ms() == null ? "" : String.format(Locale.ROOT, "p99 %.2f ms", r.p99Ms()), r.notes());
    }

    private static Map<String, String> rounded(Map<String, Double> seconds) {
        Map<String, String> r = new LinkedHashMap<>();
        seconds.forEach((k, v) -> r.put(k, String.format(Locale.ROOT, "%.2f", v)));
        return r;
    }

    private static void collectOther(ComponentCpu.Snapshot before, ComponentCpu.Snapshot after,
                                     Map<String, String> hints, Map<String, Double> into) {
        after.threads().forEach((id, t) -> {
            if (ComponentCpu.componentOf(t.name(), hints).equals(ComponentCpu.OTHER)) {
                ComponentCpu.ThreadCpu b = before.threads().get(id);
                into.merge(t.name().replaceAll("\\d+", "N"),
                        (t.cpuNanos() - (b == null ? 0 : b.cpuNanos())) / 1e9, Double::sum);
            }
        });
        before.threads().forEach((id, t) -> {
            if (ComponentCpu.componentOf(t.name(), hints).equals(ComponentCpu.OTHER)) {
                into.merge(t.name().replaceAll("\\d+", "N"), 0.0, Double::sum);
            }
        });
    }
}
