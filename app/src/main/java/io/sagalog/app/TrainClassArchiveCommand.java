package io.sagalog.app;

import io.sagalog.app.demo.TripBooking;
import io.sagalog.compensators.Participant;
import io.sagalog.compensators.ParticipantWorker;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.sagalog.http.auth.Role;
import io.sagalog.http.auth.Tokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sagalog train-class-archive}: the training run for a class-data-sharing archive (AppCDS). The {@code sagalog}
 * launcher runs it once per build under {@code -XX:ArchiveClassesAtExit}, so that later starts map the classes an
 * engine loads (Kafka clients, Streams, RocksDB, Vert.x, Avro, Jackson and our own) from the archive instead of
 * reading, parsing and verifying them from the jar. That is what brings an engine back quickly after a crash
 * (README, "Time to recover").
 *
 * <p>The run exercises the paths a node takes: an embedded broker, the node with authentication, the demo's
 * participants, transactions that complete and that roll back (submitted and waited for over HTTP), reads of one
 * transaction, a list, counts, health, metrics and the console page; then everything stops cleanly and the
 * temporary data is deleted.
 */
@Command(name = "train-class-archive", hidden = true, mixinStandardHelpOptions = true,
        description = "Exercise a node briefly (used by the sagalog launcher to build its class-data archive).")
public final class TrainClassArchiveCommand implements Callable<Integer> {

    @Option(names = "--transactions", defaultValue = "300", description = "Transactions to run (default: ${DEFAULT-VALUE}).")
    int transactions;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("sagalog-train");
        try {
            System.out.println("training run: " + run(dir, transactions));
        } finally {
            deleteTree(dir);
        }
        return 0;
    }

    /** One training run in {@code dir}; returns how many transactions ended in which status. */
    static Map<String, Integer> run(Path dir, int transactions) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
        List<ParticipantWorker> workers = new ArrayList<>();
        SagalogNode node = null;
        try {
            TripBooking demo = new TripBooking();
            Tokens tokens = Tokens.generate();
            EngineConfig engine = EngineConfig.defaults(kafka.bootstrapServers(), dir.resolve("engine"))
                    .withInstanceId("sagalog-train-engine");
            node = SagalogNode.start(new SagalogNode.Options(engine, "127.0.0.1", 0, 3,
                    DefinitionCatalog.of(List.of(TripBooking.definition())), SagalogNode.Options.randomSecret(), tokens)
                    // A training run loads classes; it is not traffic to shed. On a busy machine (a first build, CI)
                    // delivery admission would refuse its submits and the archive would not be made.
                    .withLimits(HttpLimits.defaults().withMaxDeliveryDelay(Duration.ZERO)));
            for (Participant p : demo.participants()) {
                workers.add(ParticipantWorker.start(p, kafka.bootstrapServers()));
            }
            return exercise("http://127.0.0.1:" + node.port(), tokens.firstTokenPerRole(), transactions);
        } finally {
            if (node != null) {
                node.close();
            }
            workers.forEach(ParticipantWorker::close);
            kafka.close();
        }
    }

    private static Map<String, Integer> exercise(String base, Map<Role, String> tokens, int transactions) throws Exception {
        Map<String, Integer> statuses = new java.util.TreeMap<>();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String submitter = tokens.get(Role.SUBMITTER);
        String operator = tokens.get(Role.OPERATOR);
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        String lastTxId = null;
        for (int i = 0; i < transactions; i++) {
            // Every fifth one rolls back, so compensations and recovery decisions are exercised too.
            String input = i % 5 == 4 ? "{\"failAt\":\"payments\"}" : "{\"traveller\":\"t" + i + "\"}";
            inFlight.add(http.sendAsync(post(base + "/v1/transactions?wait=10s", submitter,
                    "{\"definition\":\"" + TripBooking.DEFINITION + "\",\"input\":" + input + "}"),
                    HttpResponse.BodyHandlers.ofString()));
            if (inFlight.size() == 16) {
                lastTxId = drain(inFlight, statuses);
            }
        }
        String drained = drain(inFlight, statuses);
        lastTxId = drained != null ? drained : lastTxId;
        for (String path : List.of("/v1/transactions/" + lastTxId, "/v1/transactions?status=COMPLETED&limit=20",
                "/v1/transactions/counts", "/v1/definitions", "/health/ready", "/metrics", "/console")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Authorization", "Bearer " + operator).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
            }
        }
        return statuses;
    }

    /** Waits for the submissions in flight; returns the txId of the last one. */
    private static String drain(List<CompletableFuture<HttpResponse<String>>> inFlight, Map<String, Integer> statuses)
            throws Exception {
        String txId = null;
        for (CompletableFuture<HttpResponse<String>> f : inFlight) {
            HttpResponse<String> r = f.get();
            if (r.statusCode() != 200 && r.statusCode() != 202) {
                throw new IllegalStateException("POST /v1/transactions answered " + r.statusCode() + ": " + r.body());
            }
            io.vertx.core.json.JsonObject answer = new io.vertx.core.json.JsonObject(r.body());
            txId = answer.getString("txId");
            statuses.merge(answer.getString("status"), 1, Integer::sum);
        }
        inFlight.clear();
        return txId;
    }

    private static HttpRequest post(String url, String token, String body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
