package io.sagalog.app;

import static io.sagalog.app.HttpParticipantsIntegrationTest.definition;
import static io.sagalog.app.HttpParticipantsIntegrationTest.step;
import static io.sagalog.app.HttpTestNode.Api.history;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagalog.app.FakeHttpParticipant.Call;
import io.sagalog.app.FakeHttpParticipant.Reply;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Outcome unknown over HTTP, end to end on a real broker: a call that may have reached the participant and got no
 * answer leaves the step in doubt (so a rollback compensates it), and the dispatcher never sends an action whose
 * deadline has passed.
 */
@Tag("integration")
class HttpInDoubtIntegrationTest {
    private static final Duration FINISH = Duration.ofSeconds(30);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String FAST_RETRY = "{\"maxAttempts\":5,\"initialBackoff\":\"100ms\",\"maxBackoff\":\"1s\"}";

    private static HttpTestNode sagalog;
    private static HttpTestNode.Api api;
    private static FakeHttpParticipant participants;

    @BeforeAll
    static void start() throws Exception {
        sagalog = HttpTestNode.start();
        api = sagalog.api;
        participants = FakeHttpParticipant.start(sagalog.vertx);
    }

    @AfterAll
    static void stop() throws Exception {
        if (participants != null) {
            participants.close();
        }
        if (sagalog != null) {
            sagalog.close();
        }
    }

    @Test
    void shouldCompensateAStepWhoseCallGotNoAnswerAndWhoseRetryWasRejected() throws Exception {
        String first = "hdit-first-" + RUN;
        String doubtful = "hdit-doubtful-" + RUN;
        participants.behave(first, FakeHttpParticipant.SUCCEED);
        api.registerHttpParticipant(first, participants.url(first), "5s", null);
        // The first call commits its effect after 2 s, long after the 1 s call timeout; the retry, with the same
        // idempotency key, finds that call still running and says no (409).
        Set<String> committed = ConcurrentHashMap.newKeySet();
        participants.behave(doubtful, call -> {
            if (!call.isAction()) {
                return Reply.ok("{\"cancelled\":true}");
            }
            if (call.delivery() == 1) {
                sagalog.vertx.setTimer(2_000, id -> committed.add(call.idempotencyKey()));
                return FakeHttpParticipant.SUCCEED.apply(call).after(Duration.ofMillis(2_000));
            }
            return Reply.status(409, "{\"reason\":\"a request with this key is still being processed\"}");
        });
        api.registerHttpParticipant(doubtful, participants.url(doubtful), "1s", null);
        String def = "hdit-doubt-" + RUN;
        api.registerDefinition(def, definition(def,
                step("one", first, "reserve", "cancel", "5s", FAST_RETRY),
                step("doubtful", doubtful, "reserve", "cancel", "5s", FAST_RETRY)));

        String txId = api.submit(def, "{}");
        JsonNode tx = api.awaitStatus(txId, FINISH, "ROLLED_BACK", "COMPLETED", "PARKED");

        assertThat(history(tx, "StepFailed")).extracting(e -> e.path("step").asText() + "@" + e.path("attempt").asInt()
                + ":" + e.path("detail").path("outcome").asText())
                .containsExactly("doubtful@1:UNKNOWN", "doubtful@2:FAILED_PERMANENT");
        assertThat(history(tx, "StepFailed").get(0).path("reason").asText()).contains("no answer came within 1000 ms");
        assertThat(history(tx, "RecoveryDecided")).extracting(d -> d.path("detail").path("rule").asText())
                .containsExactly("unknown-outcome-retry", "permanent-failure-before-pivot");
        assertThat(tx.path("status").asText()).isEqualTo("ROLLED_BACK");
        assertThat(history(tx, "StepCompensated")).extracting(e -> e.path("step").asText())
                .as("the step in doubt is undone, newest first").containsExactly("doubtful", "one");

        String key = participants.calls(txId).stream().filter(c -> c.participant().equals(doubtful)).findFirst()
                .orElseThrow().idempotencyKey();
        awaitTrue("the first call's effect was committed", () -> committed.contains(key));
        List<Call> compensations = participants.calls(txId).stream()
                .filter(c -> c.participant().equals(doubtful) && !c.isAction()).toList();
        assertThat(compensations).as("exactly one compensation call").hasSize(1);
        assertThat(compensations.get(0).action()).isEqualTo("cancel");
        assertThat(participants.calls(txId)).filteredOn(c -> c.participant().equals(doubtful) && c.isAction())
                .extracting(Call::attempt).containsExactly(1, 2);
    }

    @Test
    void shouldNeverSendAnActionToAParticipantPausedPastItsDeadline() throws Exception {
        String paused = "hdit-paused-" + RUN;
        Map<String, Instant> arrivals = new ConcurrentHashMap<>();
        // One call at a time; while the 'hold' call runs (2.5 s) the participant takes nothing else.
        participants.behave(paused, call -> {
            arrivals.put(call.txId() + "@" + call.attempt(), Instant.now());
            return call.body().path("input").path("hold").asBoolean()
                    ? FakeHttpParticipant.SUCCEED.apply(call).after(Duration.ofMillis(2_500))
                    : FakeHttpParticipant.SUCCEED.apply(call);
        });
        HttpResponse<String> registered = api.put("/v1/participants/" + paused, "{\"transport\":\"http\",\"url\":\""
                + participants.url(paused) + "\",\"timeout\":\"5s\",\"maxConcurrency\":1}");
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
        api.httpParticipants.add(paused);
        String holdDef = "hdit-hold-" + RUN;
        String quickDef = "hdit-quick-" + RUN;
        api.registerDefinition(holdDef, definition(holdDef, step("work", paused, "reserve", "cancel", "10s", FAST_RETRY)));
        api.registerDefinition(quickDef, definition(quickDef, step("work", paused, "reserve", "cancel", "1s", FAST_RETRY)));

        String holder = api.submit(holdDef, "{\"hold\":true}");
        awaitTrue("the holding call arrived", () -> arrivals.containsKey(holder + "@1"));
        String txId = api.submit(quickDef, "{}");
        JsonNode tx = api.awaitStatus(txId, FINISH, "COMPLETED", "ROLLED_BACK", "PARKED");
        assertThat(api.awaitStatus(holder, FINISH, "COMPLETED", "ROLLED_BACK", "PARKED").path("status").asText())
                .isEqualTo("COMPLETED");

        assertThat(tx.path("status").asText()).isEqualTo("COMPLETED");
        List<Call> calls = participants.calls(txId);
        assertThat(calls).extracting(Call::attempt).as("attempt 1's deadline passed while the participant was busy")
                .doesNotContain(1).isNotEmpty();
        assertThat(calls).allSatisfy(c -> assertThat(arrivals.get(txId + "@" + c.attempt()))
                .as("attempt %d arrived before its deadline", c.attempt())
                .isBefore(Instant.parse(c.body().path("deadline").asText())));
        // The engine hears that attempt 1 was not delivered (it had timed the attempt out already).
        JsonNode seen = api.awaitTransaction(txId, FINISH, "the EXPIRED answer of attempt 1 is recorded",
                t -> history(t, "ResultIgnored").stream().anyMatch(e -> e.path("attempt").asInt() == 1));
        assertThat(history(seen, "ResultIgnored")).filteredOn(e -> e.path("attempt").asInt() == 1)
                .allSatisfy(e -> assertThat(e.toString()).contains("EXPIRED"));
    }

    private static void awaitTrue(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        org.awaitility.Awaitility.await(what).atMost(FINISH).pollInterval(Duration.ofMillis(20))
                .until(condition::getAsBoolean);
    }
}
