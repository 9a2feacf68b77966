package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagalog.app.FakeHttpParticipant.Call;
import io.sagalog.app.FakeHttpParticipant.Reply;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Poison input on a real broker (issue 11, item 1): a definition whose deadline would overflow, step requests that
 * outgrow a Kafka record, outputs and error texts larger than allowed. Each is refused with a reason or parks its
 * own transaction; none makes the node unready, and an ordinary transaction still completes, also after the node
 * restarts on the same data.
 */
@Tag("integration")
class PoisonAndFaultsIntegrationTest {
    private static final Duration FINISH = Duration.ofSeconds(60);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String NORMAL = "pf-normal-" + RUN;
    private static final String ECHO = "pf-echo-" + RUN;
    private static final String BIG = "pf-big-" + RUN;
    private static final String ASYNC = "pf-async-" + RUN;

    private static Path dataDir;
    private static EngineConfig engine;
    private static SagalogNode node;
    private static HttpTestNode.Api api;
    private static Vertx vertx;
    private static FakeHttpParticipant participants;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("sagalog-poison-it");
        engine = EngineConfig.defaults(KafkaFixture.bootstrapServers(), dataDir)
                .withApplicationId("it-poison-" + RUN).withInstanceId("it-poison-" + RUN)
                .withOverrides(Map.of(StreamsConfig.mainConsumerPrefix("auto.offset.reset"), "latest"));
        startNode();
        vertx = Vertx.vertx();
        participants = FakeHttpParticipant.start(vertx);
        String blob200k = "\"" + "b".repeat(200 * 1024) + "\"";
        participants.behave(NORMAL, FakeHttpParticipant.SUCCEED)
                // Echoes the input back as its output: 600 KB, more than an output may be.
                .behave(ECHO, call -> call.isAction() ? Reply.ok(call.body().path("input").toString()) : Reply.ok("{}"))
                // Each action adds 200 KB of output: the fourth request would carry more than a Kafka record holds.
                .behave(BIG, call -> call.isAction() ? Reply.ok("{\"blob\":" + blob200k + "}") : Reply.ok("{}"))
                .behave(ASYNC, call -> call.isAction() ? Reply.status(202, "{}") : Reply.ok("{}"));
        for (String p : List.of(NORMAL, ECHO, BIG, ASYNC)) {
            api.registerHttpParticipant(p, participants.url(p), "5s", null);
        }
        api.registerDefinition(NORMAL, definition(NORMAL, NORMAL, 2, "30s"));
        api.registerDefinition(ECHO, definition(ECHO, ECHO, 2, "30s"));
        api.registerDefinition(BIG, definition(BIG, BIG, 4, "30s"));
        api.registerDefinition(ASYNC, definition(ASYNC, ASYNC, 1, "30s"));
    }

    private static void startNode() throws Exception {
        node = SagalogNode.start(new SagalogNode.Options(engine, "127.0.0.1", 0, 3, DefinitionCatalog.of(List.of())));
        api = new HttpTestNode.Api(node.port());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            for (String p : List.of(NORMAL, ECHO, BIG, ASYNC)) {
                api.put("/v1/participants/" + p, "{\"transport\":\"kafka\"}");
            }
        } finally {
            node.close();
            participants.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldSurviveEveryPoisonAndStillCompleteOrdinaryTransactionsAlsoAfterARestart() throws Exception {
        // 1. A deadline that would overflow when added to a time: refused, nothing registered.
        HttpResponse<String> huge = api.put("/v1/definitions/pf-huge-" + RUN, """
                {"name": "pf-huge-%s", "deadline": 9223372036854775807, "steps": [
                  {"name": "one", "participant": "%s", "action": "do", "compensation": "undo"}]}"""
                .formatted(RUN, NORMAL));
        assertThat(huge.statusCode()).isEqualTo(422);
        assertThat(huge.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(huge.body()).contains("deadline");
        assertThat(api.get("/v1/definitions/pf-huge-" + RUN).statusCode()).isEqualTo(404);
        assertReadyAndServing();

        // 2. A participant that echoes a 600 KB input: its output is over the 256 KiB bound, so the step cannot
        //    succeed with it; the transaction ends with the reason in its history instead of poisoning a partition.
        String echoed = api.submit(ECHO, "{\"blob\":\"" + "x".repeat(600 * 1024) + "\"}");
        JsonNode echo = api.awaitStatus(echoed, FINISH, "ROLLED_BACK", "PARKED");
        assertThat(echo.toString()).containsAnyOf("256 KiB", "262144", "too large", "larger than");
        assertReadyAndServing();

        // 3. Outputs that add up: the fourth step request would carry 400 KB of input and 600 KB of outputs.
        String grown = api.submit(BIG, "{\"blob\":\"" + "y".repeat(400 * 1024) + "\"}");
        JsonNode big = api.awaitStatus(grown, FINISH, "PARKED");
        assertThat(big.path("reason").asText()).startsWith("step-request-too-large");
        assertThat(participants.calls(grown).stream().filter(Call::isAction).map(Call::step).distinct())
                .containsExactly("s1", "s2", "s3");
        assertReadyAndServing();

        // 4. An asynchronous participant reports a 900 KB error: refused with 422 naming the field; its real answer
        //    afterwards is taken.
        String later = api.submit(ASYNC, "{}");
        Call call = awaitCall(later);
        HttpResponse<String> tooLong = api.postJson(call.callbackUrl(), "{\"token\":\"" + call.callbackToken()
                + "\",\"outcome\":\"failed_transient\",\"error\":\"" + "e".repeat(900 * 1024) + "\"}");
        assertThat(tooLong.statusCode()).isEqualTo(422);
        assertThat(tooLong.body()).contains("error");
        HttpResponse<String> fine = api.postJson(call.callbackUrl(), "{\"token\":\"" + call.callbackToken()
                + "\",\"outcome\":\"succeeded\",\"output\":{\"ok\":true}}");
        assertThat(fine.statusCode()).isLessThan(300);
        api.awaitStatus(later, FINISH, "COMPLETED");
        assertReadyAndServing();

        // 5. A restart on the same data: every poisoned record is read again, and the node comes up and serves.
        node.close();
        startNode();
        assertReadyAndServing();
        assertThat(api.transaction(grown).path("status").asText()).isEqualTo("PARKED");
    }

    private static void assertReadyAndServing() throws Exception {
        org.awaitility.Awaitility.await("/health/ready answers 200").atMost(FINISH).pollInterval(Duration.ofMillis(100))
                .until(() -> api.get("/health/ready").statusCode() == 200);
        String txId = api.submit(NORMAL, "{\"who\":\"ada\"}");
        api.awaitStatus(txId, FINISH, "COMPLETED");
    }

    private static Call awaitCall(String txId) {
        return org.awaitility.Awaitility.await("a call for " + txId).atMost(FINISH).pollInterval(Duration.ofMillis(25))
                .until(() -> participants.calls(txId), calls -> !calls.isEmpty()).get(0);
    }

    private static String definition(String name, String participant, int steps, String timeout) {
        StringBuilder b = new StringBuilder("{\"name\":\"" + name + "\",\"steps\":[");
        for (int i = 1; i <= steps; i++) {
            b.append(i == 1 ? "" : ",").append("{\"name\":\"s").append(i).append("\",\"participant\":\"")
                    .append(participant).append("\",\"action\":\"do\",\"compensation\":\"undo\",\"timeout\":\"")
                    .append(timeout).append("\",\"retry\":{\"maxAttempts\":2,\"initialBackoff\":\"50ms\"}}");
        }
        return b.append("]}").toString();
    }
}
