package io.sagalog.app;

import static io.sagalog.app.HttpParticipantsIntegrationTest.definition;
import static io.sagalog.app.HttpParticipantsIntegrationTest.step;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Load beyond what a participant can serve slows transactions down and never parks or rolls them back: ingest
 * refuses what would only queue (503 {@code overloaded} with {@code Retry-After}), so what it accepted is delivered
 * well within its step timeouts, each action reaches the participant about once, and every transaction completes.
 * Small and behavioural (a participant serving 40 calls a second, driven at three times that for 15 s); the
 * benchmark at the machine's capacity is {@code sagalog bench-overload}.
 */
@Tag("integration")
class OverloadIntegrationTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    /** Two calls at a time, 50 ms each: 40 calls a second, 13 transactions of three steps. */
    private static final int CONCURRENCY = 2;
    private static final Duration SERVICE_TIME = Duration.ofMillis(50);
    static final int OFFERED_PER_SECOND = 40;
    static final Duration LOAD = Duration.ofSeconds(15);

    private static HttpTestNode sagalog;
    private static FakeHttpParticipant participants;

    @BeforeAll
    static void start() throws Exception {
        sagalog = HttpTestNode.start();
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
    void shouldRefuseWhatAParticipantCannotServeAndCompleteEverythingItAccepted() throws Exception {
        String name = "ovl-" + RUN;
        registerSlowParticipant(sagalog, participants, name);

        Load load = Load.open(sagalog.node.port(), name, OFFERED_PER_SECOND, LOAD);

        System.out.printf("overload: offered %d in %s, answers %s%n", load.offered, LOAD, load.answers);
        assertRefusedWhatCouldNotBeServedAndCompletedTheRest(sagalog, participants, name, load);
        assertThat(sagalog.api.metric("sagalog_delivery_delay_seconds", "{participant=\"" + name + "\"}"))
                .as("the wait before delivery is exported per participant").isNotNaN();
    }

    /**
     * An HTTP participant {@code name} serving {@link #CONCURRENCY} calls of {@link #SERVICE_TIME} at a time, and a
     * definition {@code name} of three compensatable steps on it (3 s timeouts).
     */
    static void registerSlowParticipant(HttpTestNode sagalog, FakeHttpParticipant participants, String name)
            throws Exception {
        participants.behave(name, call -> FakeHttpParticipant.SUCCEED.apply(call).after(SERVICE_TIME));
        HttpResponse<String> registered = sagalog.api.put("/v1/participants/" + name, "{\"transport\":\"http\","
                + "\"url\":\"" + participants.url(name) + "\",\"timeout\":\"2s\",\"maxConcurrency\":" + CONCURRENCY + "}");
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
        sagalog.api.httpParticipants.add(name);
        String retry = "{\"maxAttempts\":3,\"initialBackoff\":\"200ms\",\"maxBackoff\":\"1s\"}";
        sagalog.api.registerDefinition(name, definition(name, step("a", name, "reserve", "cancel", "3s", retry),
                step("b", name, "reserve", "cancel", "3s", retry),
                step("c", name, "reserve", "cancel", "3s", retry)));
    }

    /**
     * What an overload of {@link #registerSlowParticipant} for {@link #LOAD} must give: some submits refused with 503
     * {@code overloaded} and Retry-After (nothing recorded), about the participant's capacity accepted, every accepted
     * transaction COMPLETED, and each action delivered about once.
     */
    static void assertRefusedWhatCouldNotBeServedAndCompletedTheRest(HttpTestNode sagalog,
            FakeHttpParticipant participants, String name, Load load) throws Exception {
        assertThat(load.answers).as("answers by status").containsOnlyKeys(202, 503);
        int accepted = load.accepted.size();
        int capacity = (int) (1000 / SERVICE_TIME.toMillis() * CONCURRENCY / 3 * LOAD.toSeconds());
        assertThat(accepted).as("accepted about what the participant can serve (%d in %s)", capacity, LOAD)
                .isGreaterThan(capacity / 3).isLessThan(load.offered);
        assertThat(load.refusals).as("refusals are 503 overloaded with Retry-After").isNotEmpty()
                .allSatisfy(r -> assertThat(r).matches("(?s)Retry-After: \\d+ .*").contains("overloaded")
                        .contains("nothing was recorded"));

        Map<String, Integer> finals = new TreeMap<>();
        for (String txId : load.accepted) {
            JsonNode tx = sagalog.api.awaitStatus(txId, Duration.ofSeconds(90), "COMPLETED", "ROLLED_BACK", "PARKED");
            finals.merge(tx.path("status").asText(), 1, Integer::sum);
        }
        assertThat(finals).as("every accepted transaction completed").isEqualTo(Map.of("COMPLETED", accepted));
        long actions = participants.calls().stream().filter(c -> c.participant().equals(name) && c.isAction())
                .count();
        assertThat(actions).as("each action reached the participant about once (retries did not multiply the load)")
                .isBetween(3L * accepted, (long) (3L * accepted * 1.05));
    }

    /** An open loop: a submit every 1/rate seconds whatever the answers, each answer recorded. */
    record Load(int offered, List<String> accepted, List<String> refusals, Map<Integer, Integer> answers) {
        static Load open(int port, String definition, int perSecond, Duration duration) throws Exception {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            List<String> accepted = new CopyOnWriteArrayList<>();
            List<String> refusals = new CopyOnWriteArrayList<>();
            Map<Integer, Integer> answers = new ConcurrentHashMap<>();
            List<CompletableFuture<?>> sent = new CopyOnWriteArrayList<>();
            AtomicInteger offered = new AtomicInteger();
            int total = (int) (perSecond * duration.toSeconds());
            ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
            CompletableFuture<Void> done = new CompletableFuture<>();
            pace.scheduleAtFixedRate(() -> {
                if (offered.get() >= total) {
                    done.complete(null);
                    return;
                }
                int n = offered.incrementAndGet();
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/transactions"))
                        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"definition\":\"" + definition
                                + "\",\"input\":{\"n\":" + n + "}}")).build();
                sent.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenAccept(r -> {
                    answers.merge(r.statusCode(), 1, Integer::sum);
                    if (r.statusCode() == 202) {
                        accepted.add(r.body().replaceAll(".*\"txId\":\"([^\"]+)\".*", "$1"));
                    } else {
                        refusals.add("Retry-After: " + r.headers().firstValue("Retry-After").orElse("(none)") + " "
                                + r.body());
                    }
                }));
            }, 0, 1_000_000 / perSecond, TimeUnit.MICROSECONDS);
            try {
                done.get(duration.toSeconds() * 3, TimeUnit.SECONDS);
                CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            } finally {
                pace.shutdownNow();
            }
            return new Load(total, List.copyOf(accepted), List.copyOf(refusals), Map.copyOf(answers));
        }
    }
}
