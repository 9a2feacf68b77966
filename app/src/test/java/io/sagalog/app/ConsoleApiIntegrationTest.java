package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.compensators.ParticipantWorker;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.DefinitionParser;
import io.sagalog.engine.EngineConfig;
import io.sagalog.engine.TransactionQueries;
import io.sagalog.http.auth.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The console API on a real broker with two engine instances of one application: each answers for every
 * transaction (forwarding to the owner), lists and counts merge both, operator actions steer parked transactions,
 * and every endpoint family refuses a missing token (401) and a wrong role (403).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleApiIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VIEWER = "viewer-token-0123456789";
    private static final String OPERATOR = "operator-token-0123456789";
    private static final String SUBMITTER = "submitter-token-0123456789";
    private static final int TRANSACTIONS = 12;

    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String definition = "console-it-" + suffix;
    private final AtomicBoolean mailDown = new AtomicBoolean(true);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<ParticipantWorker> workers = new ArrayList<>();
    private SagalogNode a;
    private SagalogNode b;

    @BeforeAll
    void start() throws Exception {
        String bootstrap = KafkaFixture.bootstrapServers();
        DefinitionCatalog catalog = DefinitionCatalog.of(List.of(DefinitionParser.parse(
                "{\"name\": \"" + definition + "\", \"steps\": " + ParkingTrip.steps(suffix) + "}", 1)));
        Tokens tokens = Tokens.parse(List.of("# test tokens", VIEWER + " viewer", OPERATOR + " operator,viewer",
                SUBMITTER + " submitter"), "test");
        String applicationId = "it-console-" + suffix;
        a = SagalogNode.start(new SagalogNode.Options(engine(bootstrap, applicationId, "a"), "127.0.0.1", 0, 6, catalog, tokens));
        b = SagalogNode.start(new SagalogNode.Options(engine(bootstrap, applicationId, "b"), "127.0.0.1", 0, 6, catalog, tokens));
        workers.addAll(ParkingTrip.participants(suffix, bootstrap, mailDown));
        // Both instances must hold partitions, so some transactions are answered by forwarding.
        await("both instances own partitions", () -> owners().size() == 2);
    }

    private static EngineConfig engine(String bootstrap, String applicationId, String name) throws Exception {
        return EngineConfig.defaults(bootstrap, Files.createTempDirectory("sagalog-console-it-" + name))
                .withApplicationId(applicationId).withInstanceId(applicationId + "-" + name)
                .withOverrides(Map.of(StreamsConfig.mainConsumerPrefix("auto.offset.reset"), "latest"));
    }

    @AfterAll
    void stop() {
        workers.forEach(ParticipantWorker::close);
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    @Test
    void shouldFindListCountAndSteerParkedTransactionsThroughEitherInstance() throws Exception {
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < TRANSACTIONS; i++) {
            HttpResponse<String> r = send(a, "POST", "/v1/transactions", SUBMITTER,
                    "{\"definition\":\"" + definition + "\",\"input\":{\"n\":" + i + "}}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            submitted.add(JSON.readTree(r.body()).get("txId").asText());
        }
        await("all parked after notify used its attempts", () -> parkedOf(b).size() == TRANSACTIONS);

        // Each instance answers for every transaction: its own from its stores, the others by forwarding.
        Set<String> ownersSeen = new HashSet<>();
        for (String txId : submitted) {
            ownersSeen.add(a.queries().ownerOf(txId).map(TransactionQueries.Endpoint::toString).orElse("?"));
            for (SagalogNode node : List.of(a, b)) {
                HttpResponse<String> r = send(node, "GET", "/v1/transactions/" + txId, VIEWER, null);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                JsonNode tx = JSON.readTree(r.body());
                assertThat(tx.get("status").asText()).isEqualTo("PARKED");
                assertThat(tx.get("reason").asText()).isNotBlank();
                // What a (forced) rollback would undo, newest first.
                assertThat(tx.get("rollbackPlan").toString()).isEqualTo("[\"reserve\"]");
                assertThat(tx.get("steps").get(1).get("kind").asText()).isEqualTo("pivot");
            }
        }
        assertThat(ownersSeen).as("transactions held by both instances").hasSize(2);

        // Counts merge both instances.
        JsonNode counts = JSON.readTree(send(b, "GET", "/v1/transactions/counts", VIEWER, null).body());
        assertThat(counts.get("byStatus").get("PARKED").asLong()).isGreaterThanOrEqualTo(TRANSACTIONS);
        assertThat(counts.get("byDefinition").findValuesAsText("definition")).contains(definition);

        // Pages of 5 across both instances: newest first, no repeats, nothing missing.
        List<String> paged = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = JSON.readTree(send(a, "GET", "/v1/transactions?status=PARKED&definition=" + definition
                    + "&limit=5" + (cursor == null ? "" : "&cursor=" + java.net.URLEncoder.encode(cursor,
                    java.nio.charset.StandardCharsets.UTF_8)), VIEWER, null).body());
            page.get("items").forEach(item -> paged.add(item.get("txId").asText()));
            cursor = page.hasNonNull("nextCursor") ? page.get("nextCursor").asText() : null;
        } while (cursor != null);
        assertThat(paged).hasSize(TRANSACTIONS).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(submitted);

        // Stuck ones: created more than an hour ago there are none; more than 0 s ago, all of them.
        String byAge = "/v1/transactions?status=PARKED&definition=" + definition + "&limit=100&olderThan=";
        assertThat(JSON.readTree(send(b, "GET", byAge + "1h", VIEWER, null).body()).get("items")).isEmpty();
        assertThat(JSON.readTree(send(b, "GET", byAge + "0s", VIEWER, null).body()).get("items")).hasSize(TRANSACTIONS);
        assertThat(send(b, "GET", byAge + "soon", VIEWER, null).statusCode()).isEqualTo(422);

        // A rollback past the pivot is refused with the reason, at once.
        String first = submitted.get(0);
        HttpResponse<String> refused = send(b, "POST", "/v1/transactions/" + first + "/actions", OPERATOR,
                "{\"action\":\"rollback\",\"reason\":\"customer cancelled\"}");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(refused.body()).contains("pivot step charge succeeded");

        // The mail server is back: resume one through instance b, then the rest with one bulk action.
        mailDown.set(false);
        String actionId = UUID.randomUUID().toString();
        String resume = "{\"action\":\"resume\",\"reason\":\"mail server fixed\",\"actionId\":\"" + actionId + "\"}";
        HttpResponse<String> accepted = send(b, "POST", "/v1/transactions/" + first + "/actions", OPERATOR, resume);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        await("the resumed one completes", () -> status(first).equals("COMPLETED"));
        JsonNode history = JSON.readTree(send(a, "GET", "/v1/transactions/" + first, VIEWER, null).body()).get("history");
        assertThat(history.findValuesAsText("type")).contains("OperatorActed");
        JsonNode acted = find(history, "OperatorActed");
        assertThat(acted.get("reason").asText()).isEqualTo("mail server fixed");
        assertThat(acted.get("detail").get("actor").asText()).startsWith("token:");
        // The same action again is refused: the transaction is finished.
        assertThat(send(a, "POST", "/v1/transactions/" + first + "/actions", OPERATOR, resume).statusCode()).isEqualTo(409);

        HttpResponse<String> bulk = send(a, "POST", "/v1/transactions/actions", OPERATOR, "{\"query\":{\"status\":\"PARKED\","
                + "\"definition\":\"" + definition + "\",\"reason\":\"after the pivot\"},\"action\":\"retry\",\"reason\":\"mail fixed\"}");
        assertThat(bulk.statusCode()).as(bulk.body()).isEqualTo(202);
        String progress = JSON.readTree(bulk.body()).get("links").get("self").asText();
        await("the bulk action is done", () -> JSON.readTree(send(a, "GET", progress, VIEWER, null).body())
                .get("state").asText().equals("DONE"));
        JsonNode done = JSON.readTree(send(a, "GET", progress, VIEWER, null).body());
        assertThat(done.get("matched").asInt()).isEqualTo(TRANSACTIONS - 1);
        assertThat(done.get("accepted").asInt()).isEqualTo(TRANSACTIONS - 1);
        assertThat(done.get("failures")).isEmpty();
        await("every transaction completes", () -> {
            for (String id : submitted) {
                if (!status(id).equals("COMPLETED")) {
                    return false;
                }
            }
            return true;
        });
    }

    @Test
    void shouldAnswerAWaitingClientAsSoonAsTheTransactionSettles() throws Exception {
        String body = "{\"definition\":\"" + definition + "\",\"input\":{}}";
        long[] start = new long[1]; // of the attempt that was accepted
        HttpResponse<String> settled = HttpTestClient.retryingOverload(() -> {
            start[0] = System.nanoTime();
            return send(b, "POST", "/v1/transactions?wait=20s", SUBMITTER, body);
        });
        Duration took = Duration.ofNanos(System.nanoTime() - start[0]);
        assertThat(settled.statusCode()).as(settled.body()).isEqualTo(200);
        JsonNode tx = JSON.readTree(settled.body());
        assertThat(tx.get("status").asText()).isIn("COMPLETED", "PARKED");
        assertThat(took).as("answered when it settled, not when the wait ran out").isLessThan(Duration.ofSeconds(15));

        // Asking again through either instance, settled: at once.
        String txId = tx.get("txId").asText();
        for (SagalogNode node : List.of(a, b)) {
            HttpResponse<String> again = send(node, "GET", "/v1/transactions/" + txId + "?wait=20s", SUBMITTER, null);
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(again.body()).get("status").asText()).isEqualTo(tx.get("status").asText());
        }
        // A wait that runs out answers with the state so far: 202, still going.
        HttpResponse<String> early = HttpTestClient.retryingOverload(
                () -> send(a, "POST", "/v1/transactions?wait=0s", SUBMITTER, body));
        assertThat(early.statusCode()).as(early.body()).isEqualTo(202);
        assertThat(JSON.readTree(early.body()).get("txId").asText()).isNotBlank();
        assertThat(send(a, "POST", "/v1/transactions?wait=forever", SUBMITTER, body).statusCode()).isEqualTo(422);
        assertThat(send(a, "GET", "/v1/transactions/" + txId + "?wait=31s", SUBMITTER, null).statusCode()).isEqualTo(422);
    }

    @Test
    void shouldReportClusterHealthAndPrometheusMetrics() throws Exception {
        String id = JSON.readTree(send(a, "POST", "/v1/transactions", SUBMITTER,
                "{\"definition\":\"" + definition + "\",\"input\":{}}").body()).get("txId").asText();
        await("the transaction parks or completes", () -> !status(id).equals("RUNNING") && !status(id).startsWith("HTTP"));

        JsonNode ready = JSON.readTree(send(b, "GET", "/health/ready", null, null).body());
        assertThat(ready.get("status").asText()).isEqualTo("UP");
        assertThat(ready.get("checks").get("broker").asText()).startsWith("REACHABLE");
        JsonNode cluster = JSON.readTree(send(b, "GET", "/health/cluster", null, null).body());
        assertThat(cluster.get("status").asText()).isEqualTo("GREEN");
        assertThat(cluster.get("instances").asInt()).isEqualTo(2);

        // Each instance counts the decisions it made; together they saw every transaction.
        String metrics = send(a, "GET", "/metrics", null, null).body() + send(b, "GET", "/metrics", null, null).body();
        assertThat(metrics)
                .contains("sagalog_transactions_started_total{definition=\"" + definition + "\"}")
                .contains("sagalog_step_latency_seconds_bucket{outcome=\"SUCCEEDED\",participant=\"hotels-" + suffix)
                .contains("sagalog_recovery_decisions_total{")
                .contains("sagalog_transactions_in_flight{status=\"PARKED\"}")
                .contains("sagalog_engine_consumer_lag ")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void shouldRefuseMissingTokensAndWrongRolesOnEveryEndpointFamily() throws Exception {
        String someTx = UUID.randomUUID().toString();
        String submit = "{\"definition\":\"" + definition + "\",\"input\":{}}";
        record Call(String method, String path, String body, String wrongRole) {}
        List<Call> calls = List.of(
                new Call("POST", "/v1/transactions", submit, VIEWER),
                new Call("GET", "/v1/transactions/" + someTx, null, null),
                new Call("GET", "/v1/transactions?status=PARKED", null, SUBMITTER),
                new Call("GET", "/v1/transactions/counts", null, SUBMITTER),
                new Call("POST", "/v1/transactions/" + someTx + "/actions", "{\"action\":\"resume\",\"reason\":\"x\"}", VIEWER),
                new Call("POST", "/v1/transactions/actions", "{}", VIEWER),
                new Call("PUT", "/v1/participants/someone", "{\"transport\":\"kafka\"}", SUBMITTER),
                new Call("PUT", "/v1/definitions/someone", "{}", VIEWER),
                new Call("GET", "/v1/bulk-actions/" + someTx, null, SUBMITTER),
                new Call("GET", "/v1/definitions", null, null),
                new Call("GET", "/v1/participants", null, null));
        for (Call call : calls) {
            HttpResponse<String> none = send(a, call.method(), call.path(), null, call.body());
            assertThat(none.statusCode()).as("%s %s without a token", call.method(), call.path()).isEqualTo(401);
            assertThat(none.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
            HttpResponse<String> unknown = send(a, call.method(), call.path(), "not-a-known-token-at-all", call.body());
            assertThat(unknown.statusCode()).as("%s %s with an unknown token", call.method(), call.path()).isEqualTo(401);
            if (call.wrongRole() != null) {
                HttpResponse<String> wrong = send(a, call.method(), call.path(), call.wrongRole(), call.body());
                assertThat(wrong.statusCode()).as("%s %s with the wrong role", call.method(), call.path()).isEqualTo(403);
                assertThat(wrong.body()).contains("role");
            }
        }
        // Open by design: probes, metrics and the page itself.
        assertThat(send(a, "GET", "/health/live", null, null).statusCode()).isEqualTo(200);
        assertThat(send(a, "GET", "/metrics", null, null).statusCode()).isEqualTo(200);
        assertThat(send(a, "GET", "/console", null, null).statusCode()).isEqualTo(200);
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private Set<String> owners() {
        Set<String> owners = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            a.queries().ownerOf(UUID.randomUUID().toString()).ifPresent(e -> owners.add(e.toString()));
        }
        return owners;
    }

    private List<String> parkedOf(SagalogNode node) throws Exception {
        HttpResponse<String> r = send(node, "GET", "/v1/transactions?status=PARKED&definition=" + definition + "&limit=100",
                VIEWER, null);
        if (r.statusCode() != 200) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        JSON.readTree(r.body()).get("items").forEach(n -> ids.add(n.get("txId").asText()));
        return ids;
    }

    private String status(String txId) throws Exception {
        HttpResponse<String> r = send(a, "GET", "/v1/transactions/" + txId, VIEWER, null);
        return r.statusCode() == 200 ? JSON.readTree(r.body()).get("status").asText() : "HTTP " + r.statusCode();
    }

    private static JsonNode find(JsonNode history, String type) {
        for (JsonNode e : history) {
            if (e.get("type").asText().equals(type)) {
                return e;
            }
        }
        throw new AssertionError("no " + type + " in " + history);
    }

    private HttpResponse<String> send(SagalogNode node, String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            r.header("Content-Type", "application/json");
        }
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(String what, Check check) {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(check::holds);
    }
}
