package io.sagalog.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.kafka.streams.StreamsConfig;

/**
 * A {@link SagalogNode} with no built-in definitions, for tests that register everything over HTTP and call
 * HTTP participants ({@link FakeHttpParticipant}, which share this node's Vert.x), with the calls those tests
 * make ({@link Api}).
 *
 * <p>Tests of one JVM share one broker and so one control log. Two things keep them apart:
 * <ul>
 *   <li>The engine starts at the end of the control log ({@code auto.offset.reset=latest} for its new application
 *       id) instead of replaying every transaction earlier test classes ran; it sees only what is submitted after
 *       it started.</li>
 *   <li>{@link #close} re-registers this test's HTTP participants as {@code kafka} participants, which no dispatcher
 *       calls: an engine started later that replays the control log from the start (as
 *       {@code SagalogDevIntegrationTest}'s does) then does not call their closed ports and append transient
 *       failures to the control log while other tests count its records.</li>
 * </ul>
 */
final class HttpTestNode implements AutoCloseable {
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);

    final SagalogNode node;
    final Vertx vertx;
    final Api api;

    private HttpTestNode(SagalogNode node, Vertx vertx) {
        this.node = node;
        this.vertx = vertx;
        this.api = new Api(node.port());
    }

    static HttpTestNode start() throws Exception {
        return start(io.sagalog.engine.trace.SpanSink.NONE);
    }

    /** @param spans where the engine's spans go */
    static HttpTestNode start(io.sagalog.engine.trace.SpanSink spans) throws Exception {
        String bootstrap = KafkaFixture.bootstrapServers();
        EngineConfig engine = EngineConfig.defaults(bootstrap, Files.createTempDirectory("sagalog-http-it"))
                .withApplicationId("it-http-" + UUID.randomUUID())
                .withOverrides(Map.of(StreamsConfig.mainConsumerPrefix("auto.offset.reset"), "latest"));
        SagalogNode node = SagalogNode.start(new SagalogNode.Options(engine, "127.0.0.1", 0, 3,
                DefinitionCatalog.of(List.of())), io.sagalog.health.ConsumerFactory.KAFKA, spans);
        return new HttpTestNode(node, Vertx.vertx());
    }

    @Override
    public void close() throws Exception {
        try {
            for (String participant : api.httpParticipants) {
                api.put("/v1/participants/" + participant, "{\"transport\":\"kafka\"}");
            }
        } finally {
            node.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** The node's HTTP API as a user calls it, with the PUTs and waits the tests need. */
    static final class Api {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        final HttpTestClient client;
        final String base;
        /** HTTP participants registered through this API, retired when the node closes. */
        final List<String> httpParticipants = new CopyOnWriteArrayList<>();

        Api(int port) {
            this.client = new HttpTestClient(port);
            this.base = "http://127.0.0.1:" + port;
        }

        HttpResponse<String> put(String path, String json) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(HTTP_TIMEOUT)
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> postJson(String url, String json) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(HTTP_TIMEOUT)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> get(String path) throws Exception {
            return client.get(path);
        }

        /** PUT /v1/participants/{name} for an HTTP participant; fails the test unless it is stored. */
        void registerHttpParticipant(String name, String url, String timeout, String healthUrl) throws Exception {
            String body = "{\"transport\":\"http\",\"url\":\"" + url + "\",\"timeout\":\"" + timeout
                    + "\",\"maxConcurrency\":4" + (healthUrl == null ? "" : ",\"healthUrl\":\"" + healthUrl + "\"") + "}";
            httpParticipants.add(name);
            HttpResponse<String> r = put("/v1/participants/" + name, body);
            if (r.statusCode() != 200) {
                throw new AssertionError("PUT /v1/participants/" + name + " answered " + r.statusCode() + ": " + r.body());
            }
        }


        /** PUT /v1/definitions/{name}; fails the test unless it is stored; returns the stored definition. */
        JsonNode registerDefinition(String name, String json) throws Exception {
            HttpResponse<String> r = put("/v1/definitions/" + name, json);
            if (r.statusCode() != 201) {
                throw new AssertionError("PUT /v1/definitions/" + name + " answered " + r.statusCode() + ": " + r.body());
            }
            return HttpTestClient.JSON.readTree(r.body());
        }

        /** POST /v1/transactions; fails the test unless accepted; returns the txId. */
        String submit(String definition, String inputJson) throws Exception {
            HttpResponse<String> r = client.submitRetryingOverload(
                    "{\"definition\":\"" + definition + "\",\"input\":" + inputJson + "}");
            if (r.statusCode() != 202) {
                throw new AssertionError("POST /v1/transactions answered " + r.statusCode() + ": " + r.body());
            }
            return HttpTestClient.JSON.readTree(r.body()).path("txId").asText();
        }

        JsonNode transaction(String txId) throws Exception {
            HttpResponse<String> r = get("/v1/transactions/" + txId);
            return r.statusCode() == 200 ? HttpTestClient.JSON.readTree(r.body()) : null;
        }

        /** Polls until the transaction has one of the statuses; returns it. */
        JsonNode awaitStatus(String txId, Duration timeout, String... statuses) throws Exception {
            Set<String> wanted = Set.of(statuses);
            return awaitTransaction(txId, timeout, "reaching " + wanted, tx -> wanted.contains(tx.path("status").asText()));
        }

        /** Polls until the condition holds for the transaction; returns it. */
        JsonNode awaitTransaction(String txId, Duration timeout, String what,
                                  java.util.function.Predicate<JsonNode> condition) throws Exception {
            JsonNode[] last = new JsonNode[1];
            try {
                return org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(25))
                        .until(() -> {
                            JsonNode tx = transaction(txId);
                            last[0] = tx == null ? last[0] : tx;
                            return tx;
                        }, tx -> tx != null && condition.test(tx));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("transaction " + txId + ": " + what + " did not happen within " + timeout
                        + "; last seen: " + last[0], e);
            }
        }

        /** The value of one sample of GET /metrics, or NaN when it is not there. */
        double metric(String name, String labels) throws Exception {
            String body = get("/metrics").body();
            String prefix = name + labels + " ";
            for (String line : body.split("\n")) {
                if (line.startsWith(prefix)) {
                    return Double.parseDouble(line.substring(prefix.length()).trim());
                }
            }
            return Double.NaN;
        }

        static List<String> types(JsonNode tx) {
            return StreamSupport.stream(tx.path("history").spliterator(), false).map(e -> e.path("type").asText()).toList();
        }

        static List<JsonNode> history(JsonNode tx, String type) {
            return StreamSupport.stream(tx.path("history").spliterator(), false)
                    .filter(e -> e.path("type").asText().equals(type)).toList();
        }
    }
}
