package io.sagalog.app.bench;

import io.sagalog.app.EmbeddedKafka;
import io.sagalog.app.SagalogNode;
import io.sagalog.compensators.Participant;
import io.sagalog.compensators.ParticipantWorker;
import io.sagalog.engine.Definition;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.DefinitionParser;
import io.sagalog.engine.Durations;
import io.sagalog.engine.EngineConfig;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sagalog bench}: drives load over HTTP at ingest like real clients do and reports throughput and latency
 * from submit until the journal says the transaction ended. Several configurations are measured in one run on the
 * same broker, so their ratios hold on a noisy machine.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure throughput and latency of an N-step saga, closed loop over HTTP.")
public final class BenchCommand implements Callable<Integer> {
    private static final Pattern TX_ID = Pattern.compile("\"txId\":\"([0-9a-f-]{36})\"");

    @Option(names = "--guarantee", defaultValue = "both",
            description = "at_least_once, exactly_once_v2, both, or a comma-separated list (measured in that order; default: ${DEFAULT-VALUE}).")
    String guarantee;

    @Option(names = "--clients", defaultValue = "16", description = "Concurrent clients, each waiting for its transaction to end (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--duration", defaultValue = "20s", description = "Measured time per configuration (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--warmup", defaultValue = "5s", description = "Unmeasured load before each measurement (default: ${DEFAULT-VALUE}).")
    String warmup;

    @Option(names = "--steps", defaultValue = "3", description = "Steps of the saga, each a no-op participant (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--bootstrap", description = "Use this Kafka cluster instead of an embedded broker.")
    String bootstrap;

    @Option(names = "--data-dir", description = "Where the embedded broker and engines keep data (default: a temporary directory).")
    Path dataDir;

    /** One configuration's figures. */
    record Result(String guarantee, int clients, long completed, double seconds, long p50, long p95, long p99, long max,
                  long failed) {
        double perSecond() {
            return completed / seconds;
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        List<String> guarantees = guarantee.equals("both") ? List.of("at_least_once", "exactly_once_v2")
                : List.of(guarantee.split(","));
        Path dir = dataDir != null ? dataDir : Files.createTempDirectory("sagalog-bench");
        EmbeddedKafka kafka = null;
        String servers = bootstrap;
        if (servers == null) {
            out.print("Starting embedded Kafka... ");
            kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
            servers = kafka.bootstrapServers();
            out.println(servers);
        }
        Definition definition = benchDefinition(steps);
        DefinitionCatalog catalog = DefinitionCatalog.of(List.of(definition));
        List<ParticipantWorker> workers = new ArrayList<>();
        List<Result> results = new ArrayList<>();
        try {
            for (var step : definition.steps()) {
                workers.add(ParticipantWorker.start(Participant.named(step.participant())
                        .action("do", call -> Map.of()).compensation("undo", call -> { }).build(), servers));
            }
            for (String g : guarantees) {
                results.add(measure(out, servers, dir, catalog, definition.name(), g));
            }
        } finally {
            workers.forEach(ParticipantWorker::close);
            if (kafka != null) {
                kafka.close();
            }
        }
        printSummary(out, results);
        return 0;
    }

    private Result measure(PrintStream out, String servers, Path dir, DefinitionCatalog catalog, String definition,
                           String processingGuarantee) throws Exception {
        EngineConfig config = EngineConfig.defaults(servers, dir.resolve("engine-" + UUID.randomUUID()))
                .withApplicationId("bench-" + processingGuarantee.replace('_', '-') + "-" + UUID.randomUUID())
                .withProcessingGuarantee(processingGuarantee);
        out.printf("%n%s: starting engine...%n", processingGuarantee);
        try (SagalogNode node = SagalogNode.start(new SagalogNode.Options(config, "127.0.0.1", 0, 6, catalog));
             JournalWatcher journal = new JournalWatcher(servers)) {
            URI submit = URI.create("http://127.0.0.1:" + node.port() + "/v1/transactions");
            String body = "{\"definition\":\"" + definition + "\",\"input\":{\"payload\":\"" + "x".repeat(1000) + "\"}}";
            Duration warm = Durations.parse(warmup);
            Duration measured = Durations.parse(duration);
            LatencyRecorder latencies = new LatencyRecorder();
            AtomicLong failed = new AtomicLong();
            AtomicBoolean recording = new AtomicBoolean(false);
            AtomicBoolean running = new AtomicBoolean(true);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        long start = System.nanoTime();
                        try {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(submit)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                            Matcher m = TX_ID.matcher(r.body());
                            if (r.statusCode() != 202 || !m.find()) {
                                failed.incrementAndGet();
                                continue;
                            }
                            JournalWatcher.Ending end = journal.ending(m.group(1)).get(30, TimeUnit.SECONDS);
                            journal.forget(m.group(1));
                            if (recording.get()) {
                                latencies.record((end.seenNanos() - start) / 1_000);
                            }
                        } catch (Exception e) {
                            failed.incrementAndGet();
                        }
                    }
                }, "bench-client-" + c);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            out.printf("%s: warming up for %s with %d clients...%n", processingGuarantee, warmup, clients);
            Thread.sleep(warm.toMillis());
            recording.set(true);
            long start = System.nanoTime();
            long seconds = measured.toSeconds();
            for (long s = 1; s <= seconds; s++) {
                Thread.sleep(1000);
                if (s % 5 == 0 || s == seconds) {
                    out.printf("%s: %3d s  %7d completed  %8.0f tx/s%n", processingGuarantee, s, latencies.count(),
                            latencies.count() / ((System.nanoTime() - start) / 1e9));
                }
            }
            recording.set(false);
            double elapsed = (System.nanoTime() - start) / 1e9;
            running.set(false);
            for (Thread t : threads) {
                t.join(35_000);
            }
            return new Result(processingGuarantee, clients, latencies.count(), elapsed, latencies.percentile(0.50),
                    latencies.percentile(0.95), latencies.percentile(0.99), latencies.percentile(1.0), failed.get());
        }
    }

    private void printSummary(PrintStream out, List<Result> results) {
        out.printf("%nSagalog bench, %s, %d-step saga of no-op participants, 1 KB input, closed loop, %d clients%n",
                LocalDate.now(), steps, clients);
        out.println("| processing guarantee | completed tx/s | p50 ms | p95 ms | p99 ms | max ms | failed |");
        out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            out.printf("| %s | %.0f | %.1f | %.1f | %.1f | %.1f | %d |%n", r.guarantee(), r.perSecond(), r.p50() / 1000.0,
                    r.p95() / 1000.0, r.p99() / 1000.0, r.max() / 1000.0, r.failed());
        }
        Result first = results.get(0);
        for (Result r : results.subList(1, results.size())) {
            if (first.perSecond() > 0) {
                out.printf("%s / %s: throughput x%.2f, p50 x%.2f, p99 x%.2f%n", r.guarantee(), first.guarantee(),
                        r.perSecond() / first.perSecond(), (double) r.p50() / Math.max(1, first.p50()),
                        (double) r.p99() / Math.max(1, first.p99()));
            }
        }
    }

    static Definition benchDefinition(int steps) throws Exception {
        StringBuilder json = new StringBuilder("{\"name\": \"bench-s" + steps + "\", \"steps\": [");
        for (int i = 1; i <= steps; i++) {
            json.append(i > 1 ? "," : "").append("{\"name\": \"step").append(i).append("\", \"participant\": \"bench-p")
                    .append(i).append("\", \"action\": \"do\", \"compensation\": \"undo\"}");
        }
        return DefinitionParser.parse(json.append("]}").toString(), 1);
    }
}
