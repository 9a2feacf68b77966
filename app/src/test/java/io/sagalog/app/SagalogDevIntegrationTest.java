package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagalog.app.demo.TripBooking;
import io.sagalog.compensators.Participant;
import io.sagalog.compensators.ParticipantWorker;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.sagalog.schemas.Topics;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The whole path on a real broker: HTTP ingest -> control log -> engine -> participants -> engine -> HTTP query. */
@Tag("integration")
class SagalogDevIntegrationTest {
    private static final Duration FINISH = Duration.ofSeconds(30);

    private static SagalogNode node;
    private static TripBooking demo;
    private static final List<ParticipantWorker> workers = new ArrayList<>();
    private static HttpTestClient client;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        String bootstrap = KafkaFixture.bootstrapServers();
        Path stateDir = Files.createTempDirectory("sagalog-engine-it");
        // From the log's end, as HttpTestNode: the broker is shared, and a fresh application id reading the control log
        // from its start re-decides earlier tests' transactions, whose step requests carry their old times; the demo
        // participants then report waits of many seconds and delivery admission refuses this test's submits.
        EngineConfig engine = EngineConfig.defaults(bootstrap, stateDir).withApplicationId("it-" + UUID.randomUUID())
                .withOverrides(Map.of(org.apache.kafka.streams.StreamsConfig.mainConsumerPrefix("auto.offset.reset"),
                        "latest"));
        node = SagalogNode.start(new SagalogNode.Options(engine, "127.0.0.1", 0, 3,
                DefinitionCatalog.of(List.of(TripBooking.definition()))));
        demo = new TripBooking();
        for (Participant p : demo.participants()) {
            workers.add(ParticipantWorker.start(p, bootstrap));
        }
        client = new HttpTestClient(node.port());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    @AfterAll
    static void stop() {
        workers.forEach(ParticipantWorker::close);
        if (node != null) {
            node.close();
        }
        if (admin != null) {
            admin.close();
        }
    }

    @Test
    void shouldCompleteATransactionSubmittedOverHttp() throws Exception {
        HttpResponse<String> accepted = client.submit("{\"definition\":\"trip-booking\",\"input\":{\"traveller\":\"Ada\"}}");

        assertThat(accepted.statusCode()).isEqualTo(202);
        JsonNode body = HttpTestClient.JSON.readTree(accepted.body());
        String txId = body.path("txId").asText();
        assertThat(body.path("links").path("self").asText()).isEqualTo("/v1/transactions/" + txId);
        assertThat(accepted.headers().firstValue("Location")).contains("/v1/transactions/" + txId);

        JsonNode tx = client.awaitFinal(txId, FINISH);
        assertThat(tx.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(tx.path("steps")).extracting(s -> s.path("name").asText() + ":" + s.path("status").asText())
                .containsExactly("flights:SUCCEEDED", "hotels:SUCCEEDED", "payments:SUCCEEDED");
        assertThat(tx.path("context").path("flights").path("seat").asText()).isEqualTo("12A");
        assertThat(types(tx)).containsExactly("TxStarted", "StepDispatched", "StepSucceeded", "StepDispatched",
                "StepSucceeded", "StepDispatched", "StepSucceeded", "TxCompleted");
        assertThat(tx.path("history")).allSatisfy(e -> assertThat(e.path("at").asText()).isNotEmpty());
        assertThat(calls(txId)).containsExactly("flights.reserve", "hotels.reserve", "payments.charge");
    }

    @Test
    void shouldRollBackAFailureAtTheThirdStepCompensatingInReverseOrder() throws Exception {
        String txId = accept("{\"definition\":\"trip-booking\",\"input\":{\"failAt\":\"payments\"}}");

        JsonNode tx = client.awaitFinal(txId, FINISH);

        assertThat(tx.path("status").asText()).isEqualTo("ROLLED_BACK");
        // Observed at the participants themselves: hotels is undone before flights.
        assertThat(calls(txId)).containsExactly("flights.reserve", "hotels.reserve", "payments.charge",
                "hotels.cancel", "flights.cancel");
        List<String> compensated = StreamSupport.stream(tx.path("history").spliterator(), false)
                .filter(e -> e.path("type").asText().equals("StepCompensated")).map(e -> e.path("step").asText()).toList();
        assertThat(compensated).containsExactly("hotels", "flights");
        JsonNode decision = StreamSupport.stream(tx.path("history").spliterator(), false)
                .filter(e -> e.path("type").asText().equals("RecoveryDecided")).findFirst().orElseThrow();
        assertThat(decision.path("detail").path("direction").asText()).isEqualTo("ROLLBACK");
        assertThat(decision.path("detail").path("rule").asText()).isEqualTo("permanent-failure-before-pivot");
    }

    @Test
    void shouldReturnTheSameTransactionForARepeatedIdempotencyKey() throws Exception {
        String key = "order-" + UUID.randomUUID();
        String body = "{\"definition\":\"trip-booking\",\"input\":{}}";
        HttpResponse<String> first = client.post("/v1/transactions", "application/json", body.getBytes());
        String txId = HttpTestClient.JSON.readTree(first.body()).path("txId").asText();
        client.awaitFinal(txId, FINISH);

        HttpResponse<String> again = client.post("/v1/transactions", "application/json", body.getBytes());
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(HttpTestClient.JSON.readTree(again.body()).path("txId").asText()).isNotEqualTo(txId);

        HttpResponse<String> keyed1 = submitWithKey(body, key);
        HttpResponse<String> keyed2 = submitWithKey(body, key);
        String keyedTx = HttpTestClient.JSON.readTree(keyed1.body()).path("txId").asText();
        assertThat(HttpTestClient.JSON.readTree(keyed2.body()).path("txId").asText()).isEqualTo(keyedTx);
        client.awaitFinal(keyedTx, FINISH);
        assertThat(calls(keyedTx)).as("the second request started nothing").containsExactly("flights.reserve",
                "hotels.reserve", "payments.charge");
    }

    @Test
    void shouldCreateOneTransactionWhenTwoIngestInstancesGetTheSameKeyAtOnce() throws Exception {
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        io.sagalog.ingest.KafkaControlLog secondLog = new io.sagalog.ingest.KafkaControlLog(KafkaFixture.bootstrapServers(),
                Duration.ofSeconds(10));
        try {
            io.vertx.ext.web.Router router = io.vertx.ext.web.Router.router(vertx);
            new io.sagalog.ingest.IngestApi(vertx, secondLog,
                    () -> DefinitionCatalog.of(List.of(TripBooking.definition())),
                    java.time.Clock.systemUTC()).mount(router);
            int secondPort = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get().actualPort();
            String key = "concurrent-" + UUID.randomUUID();
            String body = "{\"definition\":\"trip-booking\",\"input\":{}}";

            var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> submitWithKey(node.port(), body, key));
            var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> submitWithKey(secondPort, body, key));

            String txId = HttpTestClient.JSON.readTree(first.get().body()).path("txId").asText();
            assertThat(first.get().statusCode()).isEqualTo(202);
            assertThat(second.get().statusCode()).isEqualTo(202);
            assertThat(HttpTestClient.JSON.readTree(second.get().body()).path("txId").asText()).isEqualTo(txId);
            JsonNode tx = client.awaitFinal(txId, FINISH);
            assertThat(tx.path("status").asText()).isEqualTo("COMPLETED");
            assertThat(types(tx)).containsOnlyOnce("TxStarted").contains("RequestIgnored");
            assertThat(calls(txId)).containsExactly("flights.reserve", "hotels.reserve", "payments.charge");
        } finally {
            secondLog.close();
            vertx.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "malformed JSON      | application/json | {\"definition\": | 400 | malformed-json",
            "unknown definition  | application/json | {\"definition\":\"no-such-saga\",\"input\":{}} | 422 | unknown-definition",
            "missing input       | application/json | {\"definition\":\"trip-booking\"} | 422 | invalid-request",
            "input not an object | application/json | {\"definition\":\"trip-booking\",\"input\":[1]} | 422 | invalid-request",
            "missing definition  | application/json | {\"input\":{}} | 422 | invalid-request",
            "wrong content type  | text/plain       | {\"definition\":\"trip-booking\",\"input\":{}} | 415 | unsupported-media-type",
            "no content type     |                  | {\"definition\":\"trip-booking\",\"input\":{}} | 415 | unsupported-media-type",
            "body over 1 MiB     | application/json | BIG | 413 | body-too-large"})
    void shouldRefuseABadRequestWithProblemJsonAndAppendNothing(String name, String contentType, String body,
                                                                 int status, String problem) throws Exception {
        byte[] bytes = body.equals("BIG") ? bigBody() : body.getBytes();
        long before = quietControlLogEnd();

        HttpResponse<String> response = client.post("/v1/transactions", contentType, bytes);

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        JsonNode json = HttpTestClient.JSON.readTree(response.body());
        assertThat(json.path("type").asText()).endsWith("/" + problem);
        assertThat(json.path("status").asInt()).isEqualTo(status);
        assertThat(json.path("detail").asText()).as("a message a person can act on").hasSizeGreaterThan(20);
        assertThat(quietControlLogEnd()).as("records in the control log").isEqualTo(before);
    }

    @Test
    void shouldCountAppendedRecordsSoTheNoAppendCheckAboveIsReal() throws Exception {
        long before = quietControlLogEnd();

        // failAt flights: the request and one failed result, nothing to compensate: exactly two records.
        String txId = accept("{\"definition\":\"trip-booking\",\"input\":{\"failAt\":\"flights\"}}");
        assertThat(client.awaitFinal(txId, FINISH).path("status").asText()).isEqualTo("ROLLED_BACK");

        assertThat(quietControlLogEnd()).isEqualTo(before + 2);
    }

    @Test
    void shouldAnswerNotFoundForAnUnknownTransaction() throws Exception {
        HttpResponse<String> r = client.get("/v1/transactions/" + UUID.randomUUID());

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
    }

    private static String accept(String json) throws Exception {
        HttpResponse<String> r = client.submit(json);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return HttpTestClient.JSON.readTree(r.body()).path("txId").asText();
    }

    private static HttpResponse<String> submitWithKey(String body, String key) {
        return submitWithKey(node.port(), body, key);
    }

    private static HttpResponse<String> submitWithKey(int port, String body, String key) {
        try {
            var http = java.net.http.HttpClient.newHttpClient();
            return http.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + port + "/v1/transactions"))
                    .header("Content-Type", "application/json").header("Idempotency-Key", key)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> types(JsonNode tx) {
        return StreamSupport.stream(tx.path("history").spliterator(), false).map(e -> e.path("type").asText()).toList();
    }

    /** Asked once the transaction is final: a participant records each call before it answers, so all are in. */
    private static List<String> calls(String txId) {
        return demo.calls(txId).stream().map(TripBooking.Call::toString).toList();
    }

    private static byte[] bigBody() {
        StringBuilder b = new StringBuilder("{\"definition\":\"trip-booking\",\"input\":{\"blob\":\"");
        b.append("x".repeat(1024 * 1024 + 10)).append("\"}}");
        return b.toString().getBytes();
    }

    /**
     * Records in the control log written by anyone but the engine (which appends a TimerFired for each due timer of
     * any transaction, also of earlier tests), once nothing has been appended for a while.
     */
    private static long quietControlLogEnd() throws Exception {
        long last = -1;
        int stable = 0;
        while (stable < 3) {
            long now = controlLogEnd();
            stable = now == last ? stable + 1 : 0;
            last = now;
            Thread.sleep(100);
        }
        return last;
    }

    private static long controlLogEnd() throws Exception {
        var partitions = admin.describeTopics(List.of(Topics.CONTROL.name())).allTopicNames().get()
                .get(Topics.CONTROL.name()).partitions();
        List<TopicPartition> all = partitions.stream().map(p -> new TopicPartition(Topics.CONTROL.name(), p.partition()))
                .toList();
        Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        all.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new java.util.HashMap<>();
        admin.listOffsets(latest).all().get().forEach((tp, r) -> ends.put(tp, r.offset()));
        long counted = 0;
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(Map.of(
                "bootstrap.servers", KafkaFixture.bootstrapServers(), "enable.auto.commit", false),
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.assign(all);
            consumer.seekToBeginning(all);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (all.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))
                            && !(Topics.CONTROL.serde().decode(record.value()).getBody()
                                    instanceof io.sagalog.schemas.avro.TimerFired)) {
                        counted++;
                    }
                }
            }
        }
        return counted;
    }
}
