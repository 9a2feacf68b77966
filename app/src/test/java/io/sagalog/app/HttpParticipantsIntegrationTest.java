package io.sagalog.app;

import static io.sagalog.app.HttpTestNode.Api.history;
import static io.sagalog.app.HttpTestNode.Api.types;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagalog.app.FakeHttpParticipant.Call;
import io.sagalog.app.FakeHttpParticipant.Reply;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * HTTP participants end to end on a real broker: everything is registered over the registry API, the dispatcher
 * calls real HTTP servers ({@link FakeHttpParticipant}), and results are read back with {@code GET
 * /v1/transactions/{txId}}. Covers the HTTP protocol (2xx, 503, 409, slow answers, a server that is down, 202 with
 * a callback) and parking on an unregistered participant.
 */
@Tag("integration")
class HttpParticipantsIntegrationTest {
    private static final Duration FINISH = Duration.ofSeconds(30);
    /** Names of this run: the registry outlives a run when the broker does (KAFKA_BOOTSTRAP_SERVERS). */
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String A = "hpit-a-" + RUN;
    private static final String B = "hpit-b-" + RUN;
    private static final String C = "hpit-c-" + RUN;
    private static final String FAST_RETRY = "{\"maxAttempts\":5,\"initialBackoff\":\"100ms\",\"maxBackoff\":\"1s\"}";

    private static HttpTestNode sagalog;
    private static HttpTestNode.Api api;
    private static FakeHttpParticipant participants;
    private static final List<FakeHttpParticipant> servers = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        sagalog = HttpTestNode.start();
        api = sagalog.api;
        participants = FakeHttpParticipant.start(sagalog.vertx);
        servers.add(participants);
        // a, b and c answer 200, except that the action named by the input's rejectAt says no (409).
        for (String p : List.of(A, B, C)) {
            participants.behave(p, call -> call.isAction()
                    && call.body().path("input").path("rejectAt").asText().equals(call.step())
                    ? Reply.status(409, "{\"reason\":\"" + call.step() + " is sold out\"}")
                    : FakeHttpParticipant.SUCCEED.apply(call));
            api.registerHttpParticipant(p, participants.url(p), "5s", null);
        }
        api.registerDefinition(def("three"), definition(def("three"),
                step("one", A, "reserve", "cancel", "1s", FAST_RETRY),
                step("two", B, "reserve", "cancel", "1s", FAST_RETRY),
                step("three", C, "charge", "refund", "1s", FAST_RETRY)));
    }

    @AfterAll
    static void stop() throws Exception {
        for (FakeHttpParticipant s : servers) {
            s.close();
        }
        if (sagalog != null) {
            sagalog.close();
        }
    }

    @Test
    void shouldCompleteThreeStepsOverHttpWithTheirOutputsInTheContext() throws Exception {
        String txId = api.submit(def("three"), "{\"customer\":\"Ada\"}");

        JsonNode tx = api.awaitStatus(txId, FINISH, "COMPLETED", "ROLLED_BACK", "PARKED");

        assertThat(tx.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(tx.path("steps")).extracting(s -> s.path("name").asText() + ":" + s.path("status").asText()
                + ":" + s.path("attempt").asInt()).containsExactly("one:SUCCEEDED:1", "two:SUCCEEDED:1", "three:SUCCEEDED:1");
        assertThat(tx.path("context").path("one").path("participant").asText()).isEqualTo(A);
        assertThat(tx.path("context").path("two").path("ref").asText()).isEqualTo("two-1");
        assertThat(tx.path("context").path("three").path("participant").asText()).isEqualTo(C);
        assertThat(types(tx)).containsExactly("TxStarted", "StepDispatched", "StepSucceeded", "StepDispatched",
                "StepSucceeded", "StepDispatched", "StepSucceeded", "TxCompleted");

        List<Call> calls = participants.calls(txId);
        assertThat(calls).extracting(Call::label).containsExactly(A + ".reserve", B + ".reserve", C + ".charge");
        Call third = calls.get(2);
        assertThat(third.phase()).isEqualTo("action");
        assertThat(third.attempt()).isEqualTo(1);
        assertThat(third.definition()).isEqualTo(def("three"));
        assertThat(third.idempotencyKey()).isNotBlank();
        assertThat(third.body().path("input").path("customer").asText()).isEqualTo("Ada");
        assertThat(third.body().path("context").path("one").path("participant").asText())
                .as("a later step sees the outputs of earlier ones").isEqualTo(A);
        assertThat(third.body().path("deadline").asText()).isNotBlank();
        assertThat(third.callbackUrl()).isEqualTo(api.base + "/v1/step-results");
    }

    @Test
    void shouldRetryAParticipantThatFailsTransientlyAndComplete() throws Exception {
        String flaky = "hpit-flaky-" + RUN;
        // 503 alone may come from a proxy after the call went through; the header says nothing happened.
        participants.behave(flaky, call -> call.isAction() && call.attempt() <= 2
                ? Reply.status(503, "{\"error\":\"warming up\"}").withHeader("Sagalog-Effect", "none")
                : FakeHttpParticipant.SUCCEED.apply(call));
        api.registerHttpParticipant(flaky, participants.url(flaky), "5s", null);
        // "one" gets 5 s: registering a participant makes the dispatcher re-subscribe, and the first request after
        // that can wait over a second for the rebalance (a 1 s timeout failed this test on the lane before too).
        api.registerDefinition(def("flaky"), definition(def("flaky"),
                step("one", A, "reserve", "cancel", "5s", FAST_RETRY),
                step("shaky", flaky, "reserve", "cancel", "1s", FAST_RETRY)));

        String txId = api.submit(def("flaky"), "{}");
        JsonNode tx = api.awaitStatus(txId, FINISH, "COMPLETED", "ROLLED_BACK", "PARKED");

        assertThat(tx.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(tx.path("steps").get(1).path("attempt").asInt()).isEqualTo(3);
        assertThat(tx.path("context").path("shaky").path("ref").asText()).isEqualTo("shaky-3");
        List<JsonNode> failed = history(tx, "StepFailed");
        assertThat(failed).extracting(e -> e.path("step").asText() + "@" + e.path("attempt").asInt())
                .containsExactly("shaky@1", "shaky@2");
        assertThat(failed).allSatisfy(e -> {
            assertThat(e.path("detail").path("outcome").asText()).isEqualTo("FAILED_TRANSIENT");
            assertThat(e.path("reason").asText()).startsWith("HTTP 503").contains("warming up");
        });
        List<JsonNode> decisions = history(tx, "RecoveryDecided");
        assertThat(decisions).hasSize(2).allSatisfy(d -> {
            assertThat(d.path("detail").path("direction").asText()).isEqualTo("FORWARD");
            assertThat(d.path("detail").path("rule").asText()).isEqualTo("transient-failure-retry");
        });
        assertThat(participants.calls(txId)).filteredOn(c -> c.participant().equals(flaky))
                .extracting(Call::attempt).containsExactly(1, 2, 3);
        assertThat(participants.calls(txId)).as("nothing was compensated").allMatch(Call::isAction);
    }

    @Test
    void shouldRollBackARejectionAtTheThirdStepCompensatingNewestFirst() throws Exception {
        String txId = api.submit(def("three"), "{\"rejectAt\":\"three\"}");

        JsonNode tx = api.awaitStatus(txId, FINISH, "COMPLETED", "ROLLED_BACK", "PARKED");

        assertThat(tx.path("status").asText()).isEqualTo("ROLLED_BACK");
        awaitCalls(txId, 5);
        // As the participants saw it: b is undone before a; c, which said no, is not compensated.
        assertThat(participants.calls(txId)).extracting(c -> c.label() + ":" + c.phase()).containsExactly(
                A + ".reserve:action", B + ".reserve:action", C + ".charge:action",
                B + ".cancel:compensation", A + ".cancel:compensation");
        assertThat(history(tx, "StepCompensated")).extracting(e -> e.path("step").asText()).containsExactly("two", "one");
        JsonNode decision = history(tx, "RecoveryDecided").get(0);
        assertThat(decision.path("detail").path("direction").asText()).isEqualTo("ROLLBACK");
        assertThat(decision.path("detail").path("rule").asText()).isEqualTo("permanent-failure-before-pivot");
        assertThat(history(tx, "StepFailed").get(0).toString()).contains("409").contains("three is sold out");
        // A compensation has an idempotency key of its own, not its action's.
        List<Call> calls = participants.calls(txId);
        assertThat(calls.get(3).idempotencyKey()).isNotEqualTo(calls.get(1).idempotencyKey());
    }

    @Test
    void shouldRetryAStepThatTimedOutWithTheSameIdempotencyKey() throws Exception {
        String slow = "hpit-slow-" + RUN;
        // The first delivery would answer after 3 s, past the 2 s step timeout (the HTTP timeout is 5 s), later ones
        // at once. The dispatcher gives a call no more than the time left to its attempt's deadline, so it drops the
        // first call at 2 s and reports it as unknown, at the time the engine's own timeout fires: whichever the
        // engine sees first makes attempt 1 "outcome unknown", and the other changes nothing.
        participants.behave(slow, call -> call.isAction() && call.delivery() == 1
                ? FakeHttpParticipant.SUCCEED.apply(call).after(Duration.ofMillis(3_000))
                : FakeHttpParticipant.SUCCEED.apply(call));
        api.registerHttpParticipant(slow, participants.url(slow), "5s", null);
        api.registerDefinition(def("slow"), definition(def("slow"),
                step("slowpoke", slow, "reserve", "cancel", "2s", FAST_RETRY),
                step("after", A, "reserve", "cancel", "1s", FAST_RETRY)));

        String txId = api.submit(def("slow"), "{}");
        JsonNode tx = api.awaitStatus(txId, FINISH, "COMPLETED", "ROLLED_BACK", "PARKED");

        assertThat(tx.path("status").asText()).isEqualTo("COMPLETED");
        List<String> unknown = new ArrayList<>();
        history(tx, "StepTimedOut").forEach(e -> unknown.add(e.path("step").asText() + "@" + e.path("attempt").asInt()));
        history(tx, "StepFailed").forEach(e -> {
            assertThat(e.path("detail").path("outcome").asText()).isEqualTo("UNKNOWN");
            assertThat(e.path("reason").asText()).contains("no answer came within");
            unknown.add(e.path("step").asText() + "@" + e.path("attempt").asInt());
        });
        assertThat(unknown).as("attempt 1 timed out, or the dispatcher said it got no answer in time")
                .containsExactly("slowpoke@1");
        JsonNode decision = history(tx, "RecoveryDecided").get(0);
        assertThat(decision.path("detail").path("direction").asText()).isEqualTo("FORWARD");
        assertThat(decision.path("detail").path("rule").asText()).isEqualTo("unknown-outcome-retry");
        assertThat(history(tx, "StepDispatched")).extracting(e -> e.path("step").asText() + "@" + e.path("attempt").asInt())
                .containsExactly("slowpoke@1", "slowpoke@2", "after@1");
        assertThat(tx.path("steps").get(0).path("attempt").asInt()).isEqualTo(2);
        List<Call> slowCalls = participants.calls(txId).stream().filter(c -> c.participant().equals(slow)).toList();
        assertThat(slowCalls).extracting(Call::attempt).containsExactly(1, 2);
        assertThat(slowCalls.get(1).idempotencyKey()).as("the retry keeps the idempotency key")
                .isEqualTo(slowCalls.get(0).idempotencyKey());
        assertThat(participants.deliveries(slowCalls.get(0).idempotencyKey())).isEqualTo(2);
        assertThat(tx.path("context").path("slowpoke").path("ref").asText())
                .as("the output is the retry's: the slow first answer was never taken").isEqualTo("slowpoke-2");
    }

    @Test
    void shouldOpenTheBreakerWhileAParticipantIsDownAndRecoverOnceItIsBack() throws Exception {
        String down = "hpit-down-" + RUN;
        FakeHttpParticipant server = FakeHttpParticipant.start(sagalog.vertx);
        servers.add(server);
        api.registerHttpParticipant(down, server.url(down), "2s", server.healthUrl());
        String patient = "{\"maxAttempts\":20,\"initialBackoff\":\"100ms\",\"maxBackoff\":\"1s\"}";
        api.registerDefinition(def("down"), definition(def("down"),
                step("one", A, "reserve", "cancel", "1s", FAST_RETRY),
                step("unreachable", down, "reserve", "cancel", "1s", patient)));
        String closed = "{participant=\"" + down + "\",state=\"CLOSED\"}";
        awaitMetric("the dispatcher follows " + down, "sagalog_participant_circuit_state", closed);
        server.stop();

        List<String> txIds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            txIds.add(api.submit(def("down"), "{\"n\":" + i + "}"));
        }
        String open = "{participant=\"" + down + "\",state=\"OPEN\"}";
        String forcedOpen = "{participant=\"" + down + "\",state=\"FORCED_OPEN\"}";
        org.awaitility.Awaitility.await("the breaker of " + down + " opens while it is down")
                .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> api.metric("sagalog_participant_circuit_state", open) == 1.0
                        || api.metric("sagalog_participant_circuit_state", forcedOpen) == 1.0);
        // Retries keep coming while it is down; the open breaker fails them without a call.
        api.awaitTransaction(txIds.get(0), FINISH, "a retry refused by the open breaker", t -> history(t, "StepFailed")
                .stream().anyMatch(e -> e.path("reason").asText().contains("circuit open")));
        for (String txId : txIds) {
            JsonNode tx = api.awaitTransaction(txId, FINISH, "a transient failure of the unreachable step",
                    t -> !history(t, "StepFailed").isEmpty());
            assertThat(tx.path("status").asText()).isEqualTo("RUNNING");
            assertThat(history(tx, "StepFailed").get(0).path("detail").path("outcome").asText()).isEqualTo("FAILED_TRANSIENT");
        }
        assertThat(api.metric("sagalog_participant_in_flight", "{participant=\"" + down + "\"}")).isEqualTo(0.0);
        assertThat(server.calls()).as("nothing answered while the port was closed").isEmpty();

        server.restart();

        List<String> reasons = new ArrayList<>();
        for (String txId : txIds) {
            JsonNode tx = api.awaitStatus(txId, FINISH, "COMPLETED", "ROLLED_BACK", "PARKED");
            assertThat(tx.path("status").asText()).isEqualTo("COMPLETED");
            assertThat(tx.path("steps").get(1).path("attempt").asInt()).isGreaterThan(1);
            assertThat(history(tx, "RecoveryDecided")).isNotEmpty().allSatisfy(d -> {
                assertThat(d.path("detail").path("direction").asText()).isEqualTo("FORWARD");
                assertThat(d.path("detail").path("rule").asText()).isEqualTo("transient-failure-retry");
            });
            assertThat(history(tx, "StepFailed")).allSatisfy(e -> {
                assertThat(e.path("step").asText()).isEqualTo("unreachable");
                assertThat(e.path("detail").path("outcome").asText()).isEqualTo("FAILED_TRANSIENT");
                assertThat(e.path("reason").asText()).containsAnyOf("Connection refused", "circuit open");
            });
            reasons.addAll(history(tx, "StepFailed").stream().map(e -> e.path("reason").asText()).toList());
        }
        assertThat(reasons).as("once the breaker was open, calls were not made at all")
                .anyMatch(r -> r.contains("circuit open"));
        assertThat(server.calls()).extracting(Call::txId).containsExactlyInAnyOrderElementsOf(txIds);
        assertThat(api.metric("sagalog_participant_circuit_state", closed)).isEqualTo(1.0);
    }

    @Test
    void shouldTakeAnAsynchronousResultOnceWithAGenuineTokenOnly() throws Exception {
        String async = "hpit-async-" + RUN;
        participants.behave(async, call -> call.isAction() ? Reply.status(202, "{\"accepted\":true}")
                : FakeHttpParticipant.SUCCEED.apply(call));
        api.registerHttpParticipant(async, participants.url(async), "5s", null);
        api.registerDefinition(def("async"), definition(def("async"),
                step("one", A, "reserve", "cancel", "1s", FAST_RETRY),
                step("later", async, "reserve", "cancel", "20s", FAST_RETRY)));

        String txId = api.submit(def("async"), "{}");
        Call call = awaitCall(async, txId);
        assertThat(call.callbackUrl()).isEqualTo(api.base + "/v1/step-results");
        JsonNode before = api.awaitTransaction(txId, FINISH, "the 202 is taken as 'later'",
                t -> types(t).contains("StepDispatched") && t.path("steps").get(1).path("status").asText().equals("RUNNING"));

        // Forged: the claims say attempt 2, the signature is that of attempt 1's.
        String token = call.callbackToken();
        int dot = token.indexOf('.');
        Base64.Decoder dec = Base64.getUrlDecoder();
        String claims = new String(dec.decode(token.substring(0, dot)), StandardCharsets.UTF_8);
        assertThat(claims).endsWith("|1");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                (claims.substring(0, claims.length() - 1) + "2").getBytes(StandardCharsets.UTF_8)) + token.substring(dot);
        HttpResponse<String> refused = api.postJson(call.callbackUrl(), result(forged, "{\"booking\":\"forged\"}"));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("Content-Type")).contains("application/problem+json");
        HttpResponse<String> garbage = api.postJson(call.callbackUrl(), result(token.substring(0, dot) + ".AAAA", "{}"));
        assertThat(garbage.statusCode()).isEqualTo(403);

        HttpResponse<String> accepted = api.postJson(call.callbackUrl(), result(token, "{\"booking\":\"B-42\"}"));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode done = api.awaitStatus(txId, FINISH, "COMPLETED", "ROLLED_BACK", "PARKED");
        assertThat(done.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(done.path("context").path("later").path("booking").asText()).isEqualTo("B-42");
        // The positive control of the refusals above: the valid result, appended after them on the same partition, did
        // take effect; had a refused one been appended, it would have been decided first and be in the history.
        assertThat(history(done, "StepSucceeded")).filteredOn(e -> e.path("step").asText().equals("later")).hasSize(1);
        assertThat(done.path("history").toString()).doesNotContain("forged");
        assertThat(done.path("history").size()).isGreaterThan(before.path("history").size());

        HttpResponse<String> reused = api.postJson(call.callbackUrl(), result(token, "{\"booking\":\"again\"}"));
        assertThat(reused.statusCode()).isEqualTo(409);
        assertThat(reused.headers().firstValue("Content-Type")).contains("application/problem+json");
        // Refused before anything is appended (409); the history stays as it was for a while after.
        org.awaitility.Awaitility.await("the history stays unchanged").during(Duration.ofMillis(500))
                .atMost(Duration.ofSeconds(5)).until(() -> api.transaction(txId).path("history").equals(done.path("history")));
        JsonNode after = api.transaction(txId);
        assertThat(after.path("context").path("later").path("booking").asText()).isEqualTo("B-42");
        assertThat(participants.calls(txId)).filteredOn(c -> c.participant().equals(async)).hasSize(1);
    }

    @Test
    void shouldParkOnAnUnregisteredParticipantAndResumeOnceItRegisters() throws Exception {
        String late = "hpit-late-" + RUN;
        JsonNode stored = api.registerDefinition(def("late"), definition(def("late"),
                step("one", A, "reserve", "cancel", "1s", FAST_RETRY),
                step("newcomer", late, "reserve", "cancel", "1s", FAST_RETRY)));
        assertThat(stored.path("unknownParticipants")).extracting(JsonNode::asText).containsExactly(late);

        String txId = api.submit(def("late"), "{}");
        JsonNode parked = api.awaitStatus(txId, FINISH, "PARKED", "COMPLETED", "ROLLED_BACK");

        assertThat(parked.path("status").asText()).isEqualTo("PARKED");
        assertThat(parked.path("reason").asText()).contains(late);
        assertThat(history(parked, "TxParked")).hasSize(1).first()
                .satisfies(e -> assertThat(e.path("reason").asText()).contains(late));
        assertThat(parked.path("steps").get(0).path("status").asText()).isEqualTo("SUCCEEDED");

        api.registerHttpParticipant(late, participants.url(late), "5s", null);
        JsonNode done = api.awaitStatus(txId, Duration.ofSeconds(15), "COMPLETED", "ROLLED_BACK");

        assertThat(done.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(done.path("context").path("newcomer").path("participant").asText()).isEqualTo(late);
        assertThat(participants.calls(txId)).extracting(Call::label).containsExactly(A + ".reserve", late + ".reserve");
    }

    // --- helpers ---

    private static String def(String name) {
        return "hpit-" + name + "-" + RUN;
    }

    static String definition(String name, String... steps) {
        return "{\"name\":\"" + name + "\",\"deadline\":\"2m\",\"steps\":[" + String.join(",", steps) + "]}";
    }

    static String step(String name, String participant, String action, String compensation, String timeout,
                       String retry) {
        return "{\"name\":\"" + name + "\",\"participant\":\"" + participant + "\",\"action\":\"" + action
                + "\",\"compensation\":\"" + compensation + "\",\"kind\":\"compensatable\",\"timeout\":\"" + timeout
                + "\",\"retry\":" + retry + "}";
    }

    private static String result(String token, String output) {
        return "{\"token\":\"" + token + "\",\"outcome\":\"succeeded\",\"output\":" + output + "}";
    }

    private static Call awaitCall(String participant, String txId) {
        return org.awaitility.Awaitility.await(participant + " is called for " + txId).atMost(FINISH)
                .pollInterval(Duration.ofMillis(20))
                .until(() -> participants.calls(txId).stream().filter(c -> c.participant().equals(participant))
                        .findFirst(), java.util.Optional::isPresent).orElseThrow();
    }

    private static void awaitMetric(String what, String name, String labels) {
        org.awaitility.Awaitility.await(what + ": " + name + labels + " is 1").atMost(FINISH)
                .pollInterval(Duration.ofMillis(50)).until(() -> api.metric(name, labels) == 1.0);
    }

    /** Participants record a call before they answer; the last answer may still be on its way. Fails on timeout. */
    private static void awaitCalls(String txId, int count) {
        org.awaitility.Awaitility.await(count + " calls for " + txId).atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20)).until(() -> participants.calls(txId).size() >= count);
    }
}
