package io.sagalog.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.engine.Input;
import io.sagalog.engine.OperatorAction;
import io.sagalog.engine.TransactionQueries.Endpoint;
import io.sagalog.engine.TransactionView;
import io.sagalog.engine.TxState;
import io.sagalog.engine.TxStatus;
import io.sagalog.engine.Wire;
import io.sagalog.http.auth.BearerAuth;
import io.sagalog.http.auth.DeclaredRoutes;
import io.sagalog.http.auth.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console's routes on a real router and HTTP server, with authentication on and an in-memory read side: who may
 * do what, what bad input is answered with, and what an accepted action appends.
 */
class ConsoleRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VIEWER = "tok-viewer-0123456789";
    private static final String OPERATOR = "tok-operator-0123456789";
    private static final String PARKED = "0193a5b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b";
    private static final String COMPLETED = "0193a5b2-7c3d-7e4f-8a9b-00000000c0de";

    private final HttpClient http = HttpClient.newHttpClient();
    private final InMemoryTransactions engine = new InMemoryTransactions();
    private Vertx vertx;
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        TransactionView parked = TransactionJsonTest.parkedTrip(true);
        engine.byId.put(PARKED, parked);
        TxState s = parked.state();
        engine.byId.put(COMPLETED, new TransactionView(new TxState(COMPLETED, s.definition(), s.definitionVersion(),
                TxStatus.COMPLETED, s.input(), s.steps(), List.of(), s.nextSeq(), s.createdAt(), s.updatedAt(), null,
                null, List.of(), List.of()), parked.history(), parked.definition(), List.of()));
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        Tokens tokens = Tokens.parse(List.of(VIEWER + " viewer", OPERATOR + " operator"), "ConsoleRoutesTest");
        new QueryApi(vertx, engine, engine, Clock.systemUTC()).mount(DeclaredRoutes.on(router, new BearerAuth(tokens)));
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        engine.self = new Endpoint("127.0.0.1", server.actualPort()); // bulk actions call the action API here
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldRefuseAReadWithoutATokenBeforeReadingAnything() throws Exception {
        HttpResponse<String> refused = send("GET", "/v1/transactions/" + PARKED, null, null);

        assertProblem(refused, 401, "unauthorized");
        assertThat(engine.reads).as("reads before the refusal").hasValue(0);

        HttpResponse<String> read = send("GET", "/v1/transactions/" + PARKED, VIEWER, null);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(read.body()).get("status").asText()).isEqualTo("PARKED");
        assertThat(engine.reads).as("the same read with a token").hasPositiveValue();
    }

    @Test
    void shouldLetAViewerLookButOnlyAnOperatorActAndAppendWhoActedAndWhy() throws Exception {
        String body = "{\"action\": \"resolve\", \"reason\": \"refunded by hand\"}";

        assertProblem(send("POST", "/v1/transactions/" + PARKED + "/actions", VIEWER, body), 403, "forbidden");
        assertThat(engine.appended).isEmpty();

        HttpResponse<String> accepted = send("POST", "/v1/transactions/" + PARKED + "/actions", OPERATOR, body);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode answer = JSON.readTree(accepted.body());
        assertThat(answer.get("status").asText()).isEqualTo("accepted");
        assertThat(answer.get("links").get("transaction").asText()).isEqualTo("/v1/transactions/" + PARKED);
        assertThat(engine.appended).hasSize(1);
        Input.OperatorCommand command = (Input.OperatorCommand) Wire.decode(engine.appended.get(0));
        assertThat(command.txId()).isEqualTo(PARKED);
        assertThat(command.action()).isEqualTo(OperatorAction.RESOLVE);
        assertThat(command.reason()).isEqualTo("refunded by hand");
        assertThat(command.actionId()).isEqualTo(answer.get("actionId").asText());
        assertThat(command.actor()).as("the caller, named without its token").startsWith("token:").doesNotContain(OPERATOR);
    }

    @Test
    void shouldAnswerBadInputWithAProblemAPersonCanActOnAndAppendNothing() throws Exception {
        String actions = "/v1/transactions/" + PARKED + "/actions";
        assertProblem(send("POST", actions, OPERATOR, "{\"action\": "), 400, "malformed-json");
        assertProblem(send("POST", actions, OPERATOR, "[\"resolve\"]"), 422, "invalid-request");
        assertProblem(send("POST", actions, OPERATOR, "{\"action\": \"resolve\"}"), 422, "invalid-request");
        assertProblem(sendTyped("POST", actions, OPERATOR, "{}", "text/plain"), 415, "unsupported-media-type");
        assertProblem(send("POST", "/v1/transactions/not-a-uuid/actions", OPERATOR, "{}"), 422, "invalid-request");
        assertProblem(send("GET", "/v1/transactions/0193a5b2-7c3d-7e4f-8a9b-ffffffffffff", VIEWER, null), 404, "not-found");
        assertProblem(send("GET", "/v1/transactions?limit=0", VIEWER, null), 422, "invalid-request");
        assertProblem(send("GET", "/v1/transactions?olderThan=soon", VIEWER, null), 422, "invalid-request");
        assertProblem(send("GET", "/v1/bulk-actions/no-such-job", VIEWER, null), 404, "not-found");
        assertProblem(send("POST", "/v1/transactions/actions", OPERATOR,
                "{\"query\": {}, \"action\": \"resolve\", \"reason\": \"x\"}"), 422, "invalid-request");

        assertThat(engine.appended).isEmpty();
    }

    @Test
    void shouldRefuseAnActionDecidedOnAStaleViewWith409AndTheCurrentSeq() throws Exception {
        HttpResponse<String> r = send("POST", "/v1/transactions/" + PARKED + "/actions", OPERATOR,
                "{\"action\": \"resolve\", \"reason\": \"x\", \"expectedSeq\": 2}");

        JsonNode problem = assertProblem(r, 409, "stale-transaction");
        assertThat(problem.get("currentSeq").asLong()).isEqualTo(5);
        assertThat(problem.get("expectedSeq").asLong()).isEqualTo(2);
        assertThat(engine.appended).isEmpty();
    }

    @Test
    void shouldRefuseAnActionThatDoesNotFitAFinishedTransaction() throws Exception {
        JsonNode problem = assertProblem(send("POST", "/v1/transactions/" + COMPLETED + "/actions", OPERATOR,
                "{\"action\": \"retry\", \"reason\": \"x\"}"), 409, "action-refused");

        assertThat(problem.get("detail").asText()).contains("already COMPLETED");
        assertThat(engine.appended).isEmpty();
    }

    @Test
    void shouldListAndCountWhatTheReadSideHolds() throws Exception {
        HttpResponse<String> list = send("GET", "/v1/transactions?status=parked", VIEWER, null);
        assertThat(list.statusCode()).isEqualTo(200);
        JsonNode page = JSON.readTree(list.body());
        assertThat(page.get("items").findValuesAsText("txId")).containsExactly(PARKED);
        assertThat(page.get("nextCursor").isNull()).isTrue();
        assertThat(engine.listedStatus).isEqualTo(TxStatus.PARKED);
        assertThat(engine.listedLimit).isEqualTo(ListQuery.DEFAULT_LIMIT);

        JsonNode counts = JSON.readTree(send("GET", "/v1/transactions/counts", VIEWER, null).body());
        assertThat(counts.get("byStatus").get("PARKED").asLong()).isEqualTo(1);
        assertThat(counts.get("byStatus").get("COMPLETED").asLong()).isEqualTo(1);
        assertThat(counts.get("byStatus").get("RUNNING").asLong()).isZero();
        assertThat(counts.get("byStatus").has("PENDING")).isFalse();
    }

    @Test
    void shouldApplyABulkActionToEachMatchingTransactionThroughTheActionApi() throws Exception {
        HttpResponse<String> started = send("POST", "/v1/transactions/actions", OPERATOR,
                "{\"query\": {\"status\": \"PARKED\"}, \"action\": \"resolve\", \"reason\": \"closed by hand\"}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String bulkId = JSON.readTree(started.body()).get("bulkId").asText();
        assertThat(started.headers().firstValue("Location")).hasValue("/v1/bulk-actions/" + bulkId);

        Awaitility.await("the bulk action is done").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> JSON.readTree(send("GET", "/v1/bulk-actions/" + bulkId, VIEWER, null).body())
                        .get("state").asText().equals("DONE"));
        JsonNode job = JSON.readTree(send("GET", "/v1/bulk-actions/" + bulkId, VIEWER, null).body());
        assertThat(job.get("matched").asInt()).isEqualTo(1);
        assertThat(job.get("accepted").asInt()).isEqualTo(1);
        assertThat(job.get("failures")).isEmpty();
        assertThat(engine.appended).hasSize(1);
        Input.OperatorCommand command = (Input.OperatorCommand) Wire.decode(engine.appended.get(0));
        assertThat(command.txId()).as("only the PARKED one").isEqualTo(PARKED);
        assertThat(command.actionId()).isEqualTo(bulkId + ":" + PARKED);
    }

    private static JsonNode assertProblem(HttpResponse<String> r, int status, String slug) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = JSON.readTree(r.body());
        assertThat(problem.get("type").asText()).isEqualTo("https://sagalog.io/problems/" + slug);
        assertThat(problem.get("detail").asText()).isNotBlank();
        return problem;
    }

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        return sendTyped(method, path, token, body, "application/json");
    }

    private HttpResponse<String> sendTyped(String method, String path, String token, String body, String type)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
                .timeout(Duration.ofSeconds(20)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", type);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
