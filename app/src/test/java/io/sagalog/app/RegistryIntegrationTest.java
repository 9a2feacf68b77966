package io.sagalog.app;

import static io.sagalog.app.HttpParticipantsIntegrationTest.definition;
import static io.sagalog.app.HttpParticipantsIntegrationTest.step;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagalog.app.FakeHttpParticipant.Call;
import io.sagalog.app.FakeHttpParticipant.Reply;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The registry API on a real broker: every broken rule of a definition is reported on its own, and definitions
 * are versioned: a transaction keeps the version it started with while newer ones run the newest.
 */
@Tag("integration")
class RegistryIntegrationTest {
    private static final Duration FINISH = Duration.ofSeconds(30);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String RETRY = "{\"maxAttempts\":5,\"initialBackoff\":\"100ms\",\"maxBackoff\":\"1s\"}";

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
    void shouldReportEveryBrokenRuleOfADefinitionWithItsOwnMessage() throws Exception {
        String name = "regit-broken-" + RUN;
        String json = "{\"name\":\"" + name + "\",\"deadline\":\"5m\",\"steps\":["
                + "{\"name\":\"odd\",\"participant\":\"p\",\"action\":\"a\",\"compensation\":\"c\",\"kind\":\"sometimes\"},"
                + "{\"name\":\"bare\",\"participant\":\"p\",\"action\":\"a\",\"kind\":\"compensatable\"},"
                + "{\"name\":\"slowly\",\"participant\":\"p\",\"action\":\"a\",\"compensation\":\"c\",\"timeout\":\"ten seconds\"},"
                + "{\"name\":\"pay\",\"participant\":\"p\",\"action\":\"a\",\"kind\":\"pivot\"},"
                + "{\"name\":\"ship\",\"participant\":\"p\",\"action\":\"a\",\"kind\":\"pivot\"},"
                + "{\"name\":\"gift\",\"participant\":\"p\",\"action\":\"a\",\"compensation\":\"c\",\"kind\":\"compensatable\"}]}";

        HttpResponse<String> r = api.put("/v1/definitions/" + name, json);

        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
        JsonNode problem = HttpTestClient.JSON.readTree(r.body());
        assertThat(problem.path("type").asText()).endsWith("/invalid-definition");
        List<String> errors = errors(problem);
        assertThat(errors).hasSize(5);
        assertThat(errors).filteredOn(e -> e.contains("(odd).kind") && e.contains("'sometimes' is not a step kind")).hasSize(1);
        assertThat(errors).filteredOn(e -> e.contains("(bare)") && e.contains("needs a compensation")).hasSize(1);
        assertThat(errors).filteredOn(e -> e.contains("(slowly).timeout") && e.contains("'ten seconds' is not a duration"))
                .hasSize(1);
        assertThat(errors).filteredOn(e -> e.contains("(ship)") && e.contains("a second pivot")).hasSize(1);
        assertThat(errors).filteredOn(e -> e.contains("(gift)") && e.contains("compensatable step after the pivot pay"))
                .hasSize(1);
        assertThat(problem.path("title").asText()).contains("5 rules");
        assertThat(api.get("/v1/definitions/" + name).statusCode()).as("nothing was stored").isEqualTo(404);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "two pivots                    | {\"name\":\"a\",\"participant\":\"p\",\"action\":\"x\",\"kind\":\"pivot\"},{\"name\":\"b\",\"participant\":\"p\",\"action\":\"x\",\"kind\":\"pivot\"} | steps[1] (b): a second pivot; a definition has at most one (the first is a)",
            "compensatable after the pivot | {\"name\":\"a\",\"participant\":\"p\",\"action\":\"x\",\"kind\":\"pivot\"},{\"name\":\"b\",\"participant\":\"p\",\"action\":\"x\",\"compensation\":\"y\"} | steps[1] (b): a compensatable step after the pivot a could never be compensated; make it retriable",
            "missing compensation          | {\"name\":\"a\",\"participant\":\"p\",\"action\":\"x\",\"kind\":\"compensatable\"} | steps[0] (a): a compensatable step needs a compensation (or declare it pivot or retriable)",
            "bad duration                  | {\"name\":\"a\",\"participant\":\"p\",\"action\":\"x\",\"compensation\":\"y\",\"retry\":{\"initialBackoff\":\"soon\"}} | steps[0] (a).retry.initialBackoff: 'soon' is not a duration; write e.g. 250ms, 10s, 5m, 1h or PT10S; allowed: 1ms to 1h",
            "unknown kind                  | {\"name\":\"a\",\"participant\":\"p\",\"action\":\"x\",\"compensation\":\"y\",\"kind\":\"undoable\"} | steps[0] (a).kind: 'undoable' is not a step kind; use compensatable, pivot or retriable"})
    void shouldReportABrokenRuleAsOneMessage(String rule, String steps, String message) throws Exception {
        String name = "regit-rule-" + RUN;

        HttpResponse<String> r = api.put("/v1/definitions/" + name, "{\"steps\":[" + steps + "]}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        JsonNode problem = HttpTestClient.JSON.readTree(r.body());
        assertThat(errors(problem)).containsExactly(message);
        assertThat(problem.path("detail").asText()).isEqualTo(message);
        assertThat(api.get("/v1/definitions/" + name).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldRefuseAMisspeltFieldNamingItsPathWithASuggestionInsteadOfUsingTheDefault() throws Exception {
        String name = "regit-misspelt-" + RUN;
        String json = definition(name, "{\"name\":\"a\",\"participant\":\"p\",\"action\":\"x\",\"compensation\":\"y\","
                + "\"retry\":{\"maxAttemps\":5}}");

        HttpResponse<String> r = api.put("/v1/definitions/" + name, json);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
        JsonNode problem = HttpTestClient.JSON.readTree(r.body());
        assertThat(problem.path("type").asText()).endsWith("/invalid-definition");
        assertThat(errors(problem)).containsExactly("steps[0].retry.maxAttemps: unknown field (did you mean maxAttempts?)");
        assertThat(api.get("/v1/definitions/" + name).statusCode()).as("nothing was stored").isEqualTo(404);
    }

    @Test
    void shouldFinishAnInFlightTransactionOnItsVersionWhileNewOnesRunTheNewest() throws Exception {
        String name = "regit-versioned-" + RUN;
        String holder = "regit-holder-" + RUN;
        String worker = "regit-worker-" + RUN;
        // The holder takes the request and answers later (202); the test answers for it with the callback.
        participants.behave(holder, call -> call.isAction() ? Reply.status(202, "{}") : FakeHttpParticipant.SUCCEED.apply(call));
        api.registerHttpParticipant(holder, participants.url(holder), "5s", null);
        api.registerHttpParticipant(worker, participants.url(worker), "5s", null);

        JsonNode v1 = api.registerDefinition(name, definition(name,
                step("hold", holder, "reserve", "cancel", "20s", RETRY),
                step("finish", worker, "reserve", "cancel", "1s", RETRY)));
        assertThat(v1.path("version").asInt()).isEqualTo(1);
        String first = api.submit(name, "{\"which\":\"first\"}");
        Call held = awaitCall(holder, first);

        JsonNode v2 = api.registerDefinition(name, definition(name,
                step("alpha", worker, "reserve", "cancel", "1s", RETRY),
                step("beta", worker, "charge", "refund", "1s", RETRY),
                step("gamma", worker, "ship", "recall", "1s", RETRY)));
        assertThat(v2.path("version").asInt()).isEqualTo(2);

        String second = api.submit(name, "{\"which\":\"second\"}");
        JsonNode newer = api.awaitStatus(second, FINISH, "COMPLETED", "ROLLED_BACK", "PARKED");
        assertThat(newer.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(newer.path("definitionVersion").asInt()).isEqualTo(2);
        assertThat(names(newer.path("steps"))).containsExactly("alpha", "beta", "gamma");
        assertThat(api.transaction(first).path("status").asText()).as("the first still waits for its holder")
                .isEqualTo("RUNNING");

        HttpResponse<String> answered = api.postJson(held.callbackUrl(), "{\"token\":\"" + held.callbackToken()
                + "\",\"outcome\":\"succeeded\",\"output\":{\"held\":true}}");
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(202);
        JsonNode older = api.awaitStatus(first, FINISH, "COMPLETED", "ROLLED_BACK", "PARKED");

        assertThat(older.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(older.path("definitionVersion").asInt()).isEqualTo(1);
        assertThat(names(older.path("steps"))).containsExactly("hold", "finish");
        assertThat(older.path("context").path("hold").path("held").asBoolean()).isTrue();
        assertThat(participants.calls(first)).extracting(c -> c.step() + "." + c.action())
                .containsExactly("hold.reserve", "finish.reserve");
        assertThat(participants.calls(second)).extracting(c -> c.step() + "." + c.action())
                .containsExactly("alpha.reserve", "beta.charge", "gamma.ship");

        JsonNode versions = HttpTestClient.JSON.readTree(api.get("/v1/definitions/" + name).body());
        assertThat(versions.path("latestVersion").asInt()).isEqualTo(2);
        assertThat(versions.path("versions")).extracting(v -> v.path("version").asInt()).containsExactly(1, 2);
        assertThat(names(versions.path("versions").get(0).path("steps"))).containsExactly("hold", "finish");
        assertThat(names(versions.path("versions").get(1).path("steps"))).containsExactly("alpha", "beta", "gamma");
        JsonNode all = HttpTestClient.JSON.readTree(api.get("/v1/definitions").body());
        JsonNode listed = StreamSupport.stream(all.path("definitions").spliterator(), false)
                .filter(d -> d.path("name").asText().equals(name)).findFirst().orElseThrow();
        assertThat(listed.path("versions")).extracting(JsonNode::asInt).containsExactly(1, 2);
        assertThat(listed.path("latestVersion").asInt()).isEqualTo(2);
    }

    private static List<String> errors(JsonNode problem) {
        return StreamSupport.stream(problem.path("errors").spliterator(), false).map(JsonNode::asText).toList();
    }

    private static List<String> names(JsonNode steps) {
        return StreamSupport.stream(steps.spliterator(), false).map(s -> s.path("name").asText()).toList();
    }

    private static Call awaitCall(String participant, String txId) {
        return org.awaitility.Awaitility.await(participant + " is called for " + txId).atMost(FINISH)
                .pollInterval(java.time.Duration.ofMillis(20))
                .until(() -> participants.calls(txId).stream().filter(c -> c.participant().equals(participant))
                        .findFirst(), java.util.Optional::isPresent).orElseThrow();
    }
}
