package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagalog.app.FakeHttpParticipant.Call;
import io.sagalog.app.FakeHttpParticipant.Reply;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.sagalog.ingest.ParticipantUrls;
import io.sagalog.schemas.Topics;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 11 and 14 against a real node: every hostile input found by fuzzing the API, one row each. Each is answered
 * with a 4xx problem+json (never 5xx, never 202) whose detail names the field, and nothing is appended: the control
 * log's end offsets are the same after the row, and what the row would have created is not there (GET 404).
 */
@Tag("integration")
class HostileInputIntegrationTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String DEFINITION = "hostile-" + RUN;
    private static final String ASYNC = "hostile-async-" + RUN;
    private static final String JSON = "application/json";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static SagalogNode node;
    private static Vertx vertx;
    private static FakeHttpParticipant participants;
    private static HttpTestNode.Api api;
    private static KafkaConsumer<byte[], byte[]> control;
    /** A transaction waiting for an asynchronous participant: its txId, callback token and newest history seq. */
    private static String txId;
    private static String token;
    private static long currentSeq;

    /** One hostile request and what it must get. {@code gone}: a path that must answer 404 afterwards. */
    record Row(String name, String method, String path, String contentType, byte[] body, int status, String detail,
               String gone) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        EngineConfig engine = EngineConfig.defaults(KafkaFixture.bootstrapServers(), Files.createTempDirectory("sagalog-hostile"))
                .withApplicationId("it-hostile-" + RUN)
                .withOverrides(Map.of(StreamsConfig.mainConsumerPrefix("auto.offset.reset"), "latest"));
        // Loopback is refused except 127.0.0.1, where the fake participant listens (--participant-allow 127.0.0.1/32).
        node = SagalogNode.start(new SagalogNode.Options(engine, "127.0.0.1", 0, 3, DefinitionCatalog.of(List.of()),
                SagalogNode.Options.randomSecret(), null, ParticipantUrls.allowing(List.of("127.0.0.1/32"))));
        vertx = Vertx.vertx();
        participants = FakeHttpParticipant.start(vertx);
        participants.behave(ASYNC, call -> Reply.status(202, "{}"));
        api = new HttpTestNode.Api(node.port());
        api.registerHttpParticipant(ASYNC, participants.url(ASYNC), "5s", null);
        api.registerDefinition(DEFINITION, "{\"name\":\"" + DEFINITION + "\",\"deadline\":\"30m\",\"steps\":[{\"name\":\"s\","
                + "\"participant\":\"" + ASYNC + "\",\"action\":\"do\",\"kind\":\"pivot\",\"timeout\":\"24h\"}]}");
        HttpResponse<String> kafkaParticipant = api.put("/v1/participants/coll.ide2-" + RUN, "{\"transport\":\"kafka\"}");
        assertThat(kafkaParticipant.statusCode()).as(kafkaParticipant.body()).isEqualTo(200);
        // A topic made outside Sagalog whose name collides with the step topic of participant ext.made-<run>.
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaFixture.bootstrapServers()))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("sagalog.steps.ext_made-" + RUN, 1,
                    (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        txId = api.submit(DEFINITION, "{}");
        String submitted = txId;
        Call call = org.awaitility.Awaitility.await("the participant is called").atMost(Duration.ofSeconds(30))
                .until(() -> participants.calls(submitted), calls -> !calls.isEmpty()).get(0);
        token = call.callbackToken();
        JsonNode tx = api.awaitTransaction(txId, Duration.ofSeconds(30), "the dispatch is in its history",
                t -> HttpTestNode.Api.types(t).contains("StepDispatched"));
        currentSeq = tx.path("history").get(tx.path("history").size() - 1).path("seq").asLong();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaFixture.bootstrapServers());
        control = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterAll
    static void stop() throws Exception {
        if (control != null) {
            control.close();
        }
        if (api != null) {
            api.put("/v1/participants/" + ASYNC, "{\"transport\":\"kafka\"}");
        }
        if (participants != null) {
            participants.close();
        }
        if (node != null) {
            node.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    static Stream<Row> rows() {
        String tx = "/v1/transactions/" + txId;
        String submit = "/v1/transactions";
        String def = "/v1/definitions/";
        String part = "/v1/participants/";
        String step = "{\"name\":\"s\",\"participant\":\"" + ASYNC + "\",\"action\":\"do\",\"kind\":\"pivot\"";
        List<Row> rows = new ArrayList<>();
        // ---- submit (POST /v1/transactions) ----
        rows.add(row("submit nested 1,000 deep", "POST", submit, JSON, "{\"definition\":\"" + DEFINITION + "\",\"input\":"
                + "[".repeat(1000) + "]".repeat(1000) + "}", 400, "at most 64"));
        rows.add(row("submit number of 5,000 digits", "POST", submit, JSON, "{\"definition\":\"" + DEFINITION
                + "\",\"input\":{\"n\":" + "9".repeat(5000) + "}}", 400, "/input/n"));
        rows.add(row("submit key of 200k characters", "POST", submit, JSON, "{\"definition\":\"" + DEFINITION
                + "\",\"input\":{\"" + "k".repeat(200_000) + "\":1}}", 400, "/input"));
        rows.add(row("submit garbage after the document", "POST", submit, JSON, "{\"definition\":\"" + DEFINITION
                + "\",\"input\":{}} garbage", 400, "after the JSON document"));
        rows.add(row("submit duplicate keys", "POST", submit, JSON, "{\"definition\":\"nope\",\"definition\":\"" + DEFINITION
                + "\",\"input\":{}}", 400, "'definition'"));
        rows.add(row("submit 1e999999999", "POST", submit, JSON, "{\"definition\":\"" + DEFINITION
                + "\",\"input\":{\"big\":1e999999999}}", 422, "/input/big"));
        rows.add(new Row("submit invalid UTF-8", "POST", submit, JSON, concat("{\"definition\":\"" + DEFINITION
                + "\",\"input\":{\"a\":\"", new byte[] {(byte) 0xC3, (byte) 0x28}, "\"}}"), 400, "not valid UTF-8", null));
        rows.add(row("submit lone surrogate", "POST", submit, JSON, "{\"definition\":\"" + DEFINITION
                + "\",\"input\":{\"a\":\"\\ud800\"}}", 400, "/input/a"));
        rows.add(row("submit charset=iso-8859-1", "POST", submit, JSON + "; charset=iso-8859-1", "{\"definition\":\""
                + DEFINITION + "\",\"input\":{}}", 415, "charset=utf-8"));
        rows.add(row("submit ?wait=9999999999999999h", "POST", submit + "?wait=9999999999999999h", JSON,
                "{\"definition\":\"" + DEFINITION + "\",\"input\":{}}", 422, "'wait'"));
        // ---- reads ----
        rows.add(row("GET ?wait=9999999999999999h", "GET", tx + "?wait=9999999999999999h", null, null, 422, "'wait'"));
        rows.add(row("list olderThan=99999999999999h", "GET", "/v1/transactions?olderThan=99999999999999h", null, null, 422,
                "'olderThan'"));
        rows.add(row("list olderThan=P999999999999D", "GET", "/v1/transactions?olderThan=P999999999999D", null, null, 422,
                "'olderThan'"));
        rows.add(row("list olderThan=PT-10M", "GET", "/v1/transactions?olderThan=PT-10M", null, null, 422, "'olderThan'"));
        // ---- definitions ----
        rows.add(row("definition deadline Long.MAX ms", "PUT", def + "huge-" + RUN, JSON, "{\"deadline\":9223372036854775807,"
                + "\"steps\":[" + step + "}]}", 422, "deadline:", def + "huge-" + RUN));
        rows.add(row("definition deadline 100000000000000000s", "PUT", def + "lost-" + RUN, JSON,
                "{\"deadline\":\"100000000000000000s\",\"steps\":[" + step + "}]}", 422, "deadline:", def + "lost-" + RUN));
        rows.add(row("submit to the definition that was refused", "POST", submit, JSON, "{\"definition\":\"lost-" + RUN
                + "\",\"input\":{}}", 422, "lost-" + RUN));
        rows.add(row("definition deadline 10000000000000000s", "PUT", def + "brick-" + RUN, JSON,
                "{\"deadline\":\"10000000000000000s\",\"steps\":[" + step + "}]}", 422, "deadline:", def + "brick-" + RUN));
        rows.add(row("definition step timeout 9999999999999999h", "PUT", def + "slow-" + RUN, JSON,
                "{\"steps\":[" + step + ",\"timeout\":\"9999999999999999h\"}]}", 422, "steps[0] (s).timeout:",
                def + "slow-" + RUN));
        rows.add(row("definition naming 300 participants", "PUT", def + "wide-" + RUN, JSON, "{\"steps\":["
                + IntStream.range(0, 300).mapToObj(i -> "{\"name\":\"s" + i + "\",\"participant\":\"w" + i + "-" + RUN
                        + "\",\"action\":\"do\",\"kind\":\"retriable\"}").collect(Collectors.joining(",")) + "]}",
                422, "steps: 300 steps; a definition has at most 64", def + "wide-" + RUN));
        rows.add(row("definition with colliding participants", "PUT", def + "coll-" + RUN, JSON, "{\"steps\":["
                + "{\"name\":\"a\",\"participant\":\"coll.ide-" + RUN + "\",\"action\":\"do\",\"kind\":\"retriable\"},"
                + "{\"name\":\"b\",\"participant\":\"coll_ide-" + RUN + "\",\"action\":\"do\",\"kind\":\"retriable\"}]}",
                422, "steps[1] (b).participant", def + "coll-" + RUN));
        rows.add(row("definition whose step topic collides with a topic made elsewhere", "PUT", def + "ext-" + RUN, JSON,
                "{\"steps\":[{\"name\":\"a\",\"participant\":\"ext.made-" + RUN + "\",\"action\":\"do\","
                        + "\"kind\":\"retriable\"}]}", 409, "cannot be created", def + "ext-" + RUN));
        rows.add(row("definition maxAttempts 1.5", "PUT", def + "frac-" + RUN, JSON, "{\"steps\":[" + step
                + ",\"retry\":{\"maxAttempts\":1.5}}]}", 422, "retry.maxAttempts", def + "frac-" + RUN));
        rows.add(row("definition over 1 MiB", "PUT", def + "big-" + RUN, JSON, "{\"x\":\"" + "a".repeat(1_100_000)
                + "\"}", 413, "at most 1048576 bytes", def + "big-" + RUN));
        rows.add(row("definition as text/plain", "PUT", def + "plain-" + RUN, "text/plain", "{\"steps\":[" + step + "}]}",
                415, "application/json", def + "plain-" + RUN));
        // ---- participants ----
        rows.add(row("participant timeout 9999999999999999h", "PUT", part + "p1-" + RUN, JSON, "{\"transport\":\"http\","
                + "\"url\":\"http://hotels.example/x\",\"timeout\":\"9999999999999999h\"}", 422, "timeout:", part + "p1-" + RUN));
        rows.add(row("participant maxConcurrency 1.5", "PUT", part + "p2-" + RUN, JSON, "{\"transport\":\"http\","
                + "\"url\":\"http://hotels.example/x\",\"maxConcurrency\":1.5}", 422, "maxConcurrency:", part + "p2-" + RUN));
        rows.add(row("participant on loopback", "PUT", part + "p3-" + RUN, JSON, "{\"transport\":\"http\","
                + "\"url\":\"http://127.0.0.2:9000/x\"}", 422, "url:", part + "p3-" + RUN));
        rows.add(row("participant on IPv6 loopback", "PUT", part + "p4-" + RUN, JSON, "{\"transport\":\"http\","
                + "\"url\":\"http://[::1]:9000/x\"}", 422, "url:", part + "p4-" + RUN));
        rows.add(row("participant on the metadata address", "PUT", part + "p5-" + RUN, JSON, "{\"transport\":\"http\","
                + "\"url\":\"http://169.254.169.254/latest/meta-data\"}", 422, "url:", part + "p5-" + RUN));
        rows.add(row("participant is the node's own API", "PUT", part + "p6-" + RUN, JSON, "{\"transport\":\"http\","
                + "\"url\":\"http://127.0.0.1:" + node.port() + "/v1/step-results\"}", 422, "own API", part + "p6-" + RUN));
        rows.add(row("participant with credentials in the URL", "PUT", part + "p7-" + RUN, JSON, "{\"transport\":\"http\","
                + "\"url\":\"http://user:secret-token@hotels.example/x\"}", 422, "url: credentials", part + "p7-" + RUN));
        rows.add(row("participant healthUrl with credentials", "PUT", part + "p8-" + RUN, JSON, "{\"transport\":\"http\","
                + "\"url\":\"http://hotels.example/x\",\"healthUrl\":\"http://u:p@hotels.example/health\"}", 422,
                "healthUrl: credentials", part + "p8-" + RUN));
        rows.add(row("participant whose topic collides with one in use", "PUT", part + "coll_ide2-" + RUN, JSON,
                "{\"transport\":\"kafka\"}", 422, "collides with the participant 'coll.ide2-" + RUN + "'",
                part + "coll_ide2-" + RUN));
        rows.add(row("participant over 1 MiB", "PUT", part + "p9-" + RUN, JSON, "{\"x\":\"" + "a".repeat(1_100_000) + "\"}",
                413, "at most 1048576 bytes", part + "p9-" + RUN));
        // ---- actions ----
        rows.add(row("action as text/plain", "POST", tx + "/actions", "text/plain",
                "{\"action\":\"resolve\",\"reason\":\"fuzz\"}", 415, "application/json"));
        rows.add(row("action over 64 KiB", "POST", tx + "/actions", JSON, "{\"action\":\"resolve\",\"reason\":\""
                + "a".repeat(70_000) + "\"}", 413, "at most 65536 bytes"));
        rows.add(row("action with a stale expectedSeq", "POST", tx + "/actions", JSON, "{\"action\":\"resolve\","
                + "\"reason\":\"fuzz\",\"expectedSeq\":" + (currentSeq - 1) + "}", 409, "seq " + currentSeq));
        rows.add(row("action with expectedSeq 1.5", "POST", tx + "/actions", JSON, "{\"action\":\"resolve\","
                + "\"reason\":\"fuzz\",\"expectedSeq\":1.5}", 422, "'expectedSeq'"));
        rows.add(row("bulk with definition \"\"", "POST", "/v1/transactions/actions", JSON, "{\"query\":{\"definition\":\"\"},"
                + "\"action\":\"resolve\",\"reason\":\"fuzz\"}", 422, "'query.definition'"));
        rows.add(row("bulk with an empty query", "POST", "/v1/transactions/actions", JSON, "{\"query\":{},"
                + "\"action\":\"resolve\",\"reason\":\"fuzz\"}", 422, "'query'"));
        rows.add(row("bulk as text/plain", "POST", "/v1/transactions/actions", "text/plain", "{\"query\":{\"status\":"
                + "\"PARKED\"},\"action\":\"resolve\",\"reason\":\"fuzz\"}", 415, "application/json"));
        rows.add(row("bulk over 64 KiB", "POST", "/v1/transactions/actions", JSON, "{\"query\":{\"status\":\"PARKED\"},"
                + "\"action\":\"resolve\",\"reason\":\"" + "a".repeat(70_000) + "\"}", 413, "at most 65536 bytes"));
        // ---- step results ----
        rows.add(row("step result output over 256 KiB", "POST", "/v1/step-results", JSON, "{\"token\":\"" + token
                + "\",\"outcome\":\"succeeded\",\"output\":{\"x\":\"" + "a".repeat(300_000) + "\"}}", 422, "'output'"));
        rows.add(row("step result error over 4 KiB", "POST", "/v1/step-results", JSON, "{\"token\":\"" + token
                + "\",\"outcome\":\"failed_permanent\",\"error\":\"" + "e".repeat(5_000) + "\"}", 422, "'error'"));
        rows.add(row("step result outcome expired", "POST", "/v1/step-results", JSON, "{\"token\":\"" + token
                + "\",\"outcome\":\"expired\"}", 422, "'outcome'"));
        rows.add(row("step result as text/plain", "POST", "/v1/step-results", "text/plain", "{\"token\":\"" + token
                + "\",\"outcome\":\"succeeded\"}", 415, "application/json"));
        rows.add(row("step result over 1 MiB", "POST", "/v1/step-results", JSON, "{\"token\":\"" + token
                + "\",\"outcome\":\"succeeded\",\"output\":{\"x\":\"" + "a".repeat(1_100_000) + "\"}}", 413,
                "at most 1048576 bytes"));
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void shouldRefuseWithAProblemNamingTheFieldAndAppendNothing(Row row) throws Exception {
        Map<TopicPartition, Long> before = controlEnds();
        String key = "hostile-" + UUID.randomUUID();

        HttpResponse<String> r = send(row, key);

        assertThat(r.statusCode()).as(row.name() + ": " + r.body()).isEqualTo(row.status());
        assertThat(r.headers().firstValue("Content-Type")).as(row.name()).contains("application/problem+json");
        JsonNode problem = HttpTestClient.JSON.readTree(r.body());
        assertThat(problem.path("status").asInt()).isEqualTo(row.status());
        assertThat(problem.path("detail").asText()).as(row.name()).contains(row.detail());
        assertThat(controlEnds()).as(row.name() + ": nothing was appended to the control log").isEqualTo(before);
        if (row.method().equals("POST") && row.path().startsWith("/v1/transactions?") || row.path().equals("/v1/transactions")) {
            String wouldBe = UUID.nameUUIDFromBytes(("sagalog:" + key).getBytes(StandardCharsets.UTF_8)).toString();
            assertThat(api.get("/v1/transactions/" + wouldBe).statusCode()).as("no transaction " + wouldBe).isEqualTo(404);
        }
        if (row.gone() != null) {
            assertThat(api.get(row.gone()).statusCode()).as(row.gone() + " was not registered").isEqualTo(404);
        }
        if (row.name().contains("stale expectedSeq")) {
            assertThat(problem.path("type").asText()).endsWith("/stale-transaction");
            assertThat(problem.path("currentSeq").asLong()).isEqualTo(currentSeq);
        }
    }

    @org.junit.jupiter.api.Test
    void shouldAcceptAnActionWhoseExpectedSeqIsTheNewestSeq() throws Exception {
        String other = api.submit(DEFINITION, "{}");
        JsonNode tx = api.awaitTransaction(other, Duration.ofSeconds(30), "the dispatch is in its history",
                t -> HttpTestNode.Api.types(t).contains("StepDispatched"));
        long seq = tx.path("history").get(tx.path("history").size() - 1).path("seq").asLong();

        HttpResponse<String> r = api.postJson(api.base + "/v1/transactions/" + other + "/actions",
                "{\"action\":\"resolve\",\"reason\":\"handled by hand\",\"expectedSeq\":" + seq + "}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(api.awaitStatus(other, Duration.ofSeconds(30), "RESOLVED").path("status").asText()).isEqualTo("RESOLVED");
    }

    private static Row row(String name, String method, String path, String contentType, String body, int status,
                           String detail) {
        return row(name, method, path, contentType, body, status, detail, null);
    }

    private static Row row(String name, String method, String path, String contentType, String body, int status,
                           String detail, String gone) {
        return new Row(name, method, path, contentType, body == null ? null : body.getBytes(StandardCharsets.UTF_8), status,
                detail, gone);
    }

    private static byte[] concat(String a, byte[] b, String c) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] z = c.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[x.length + b.length + z.length];
        System.arraycopy(x, 0, all, 0, x.length);
        System.arraycopy(b, 0, all, x.length, b.length);
        System.arraycopy(z, 0, all, x.length + b.length, z.length);
        return all;
    }

    private static HttpResponse<String> send(Row row, String idempotencyKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.base + row.path())).timeout(Duration.ofSeconds(30))
                .header("Idempotency-Key", idempotencyKey)
                .method(row.method(), row.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(row.body()));
        if (row.contentType() != null) {
            b.header("Content-Type", row.contentType());
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<TopicPartition, Long> controlEnds() {
        List<TopicPartition> partitions = control.partitionsFor(Topics.CONTROL.name()).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        return control.endOffsets(partitions);
    }
}
