package io.sagalog.app;

import static io.sagalog.app.HttpParticipantsIntegrationTest.definition;
import static io.sagalog.app.HttpParticipantsIntegrationTest.step;
import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each background loop of a node broken on purpose (its Kafka consumer throws) recovers by itself, and
 * {@code /health/ready} names it while it is down; {@code sagalog_component_restarts_total} counts the restarts.
 */
class BackgroundLoopsIntegrationTest {
    private static final Duration FINISH = Duration.ofSeconds(60);
    private static final String RUN = Long.toString(System.nanoTime() % 1_000_000, 36);
    private static final String FAST_RETRY = "{\"maxAttempts\":5,\"initialBackoff\":\"100ms\",\"maxBackoff\":\"1s\"}";

    private static final BreakableConsumers consumers = new BreakableConsumers();
    private static SagalogNode node;
    private static HttpTestNode.Api api;
    private static Vertx vertx;
    private static FakeHttpParticipant participants;

    @BeforeAll
    static void start() throws Exception {
        String bootstrap = KafkaFixture.bootstrapServers();
        EngineConfig engine = EngineConfig.defaults(bootstrap, Files.createTempDirectory("sagalog-loops-it"))
                .withApplicationId("it-loops-" + UUID.randomUUID())
                .withOverrides(Map.of(StreamsConfig.mainConsumerPrefix("auto.offset.reset"), "latest"));
        node = SagalogNode.start(new SagalogNode.Options(engine, "127.0.0.1", 0, 3, DefinitionCatalog.of(List.of())),
                consumers);
        api = new HttpTestNode.Api(node.port());
        vertx = Vertx.vertx();
        participants = FakeHttpParticipant.start(vertx);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            for (String participant : api.httpParticipants) {
                api.put("/v1/participants/" + participant, "{\"transport\":\"kafka\"}");
            }
        } finally {
            participants.close();
            node.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldReadyListEveryBackgroundLoopAndTheEngineStreamThreads() throws Exception {
        HttpResponse<String> ready = awaitReady("every component UP", r -> r.statusCode() == 200);
        assertThat(ready.body()).contains("\"registry\":\"UP\"", "\"journal-follower\":\"UP\"", "\"dispatcher\":\"UP\"",
                "\"engine-stream-threads\":\"1/1 alive\"");
    }

    @Test
    void shouldKeepDispatchingAfterAnOffsetCommitThrowsOnce() throws Exception {
        String participant = "loops-commit-" + RUN;
        String def = "loops-commit-" + RUN;
        participants.behave(participant, FakeHttpParticipant.SUCCEED);
        api.registerHttpParticipant(participant, participants.url(participant), "5s", null);
        api.registerDefinition(def, definition(def, step("one", participant, "reserve", "cancel", "2s", FAST_RETRY)));
        String first = api.submit(def, "{}");
        api.awaitStatus(first, FINISH, "COMPLETED");

        consumers.failOnce("dispatcher", "commitAsync");
        String second = api.submit(def, "{}");
        api.awaitStatus(second, FINISH, "COMPLETED");
        awaitTrue("the commit failed on purpose", () -> consumers.thrown("dispatcher") >= 1);
        // Once the commit threw, the dispatcher must still take new requests.
        String third = api.submit(def, "{}");
        api.awaitStatus(third, FINISH, "COMPLETED");
        assertThat(api.metric("sagalog_component_restarts_total", "{component=\"dispatcher\"}")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void shouldShowTheDispatcherDownWhileItsConsumerFailsAndDeliverWhatCameMeanwhile() throws Exception {
        String participant = "loops-down-" + RUN;
        String def = "loops-down-" + RUN;
        participants.behave(participant, FakeHttpParticipant.SUCCEED);
        api.registerHttpParticipant(participant, participants.url(participant), "5s", null);
        api.registerDefinition(def, definition(def, step("one", participant, "reserve", "cancel", "30s", FAST_RETRY)));
        api.awaitStatus(api.submit(def, "{}"), FINISH, "COMPLETED");
        double restartsBefore = restarts("dispatcher");

        consumers.breakUntilFixed("dispatcher", "poll");
        try {
            HttpResponse<String> down = awaitReady("dispatcher shown down", r -> r.statusCode() == 503
                    && r.body().contains("\"dispatcher\":\"RESTARTING"));
            assertThat(down.body()).contains("broken on purpose");
            String meanwhile = api.submit(def, "{}");
            consumers.fix("dispatcher", "poll");
            awaitReady("ready again", r -> r.statusCode() == 200);
            api.awaitStatus(meanwhile, FINISH, "COMPLETED");
        } finally {
            consumers.fix("dispatcher", "poll");
        }
        assertThat(restarts("dispatcher")).isGreaterThan(restartsBefore);
    }

    @Test
    void shouldShowTheRegistryDownWhileItsConsumerFailsAndAnswerPutsAfterwards() throws Exception {
        double restartsBefore = restarts("registry");
        consumers.breakUntilFixed("registry", "poll");
        try {
            HttpResponse<String> down = awaitReady("registry shown down", r -> r.statusCode() == 503
                    && r.body().contains("\"registry\":\"RESTARTING"));
            assertThat(down.body()).contains("broken on purpose");
        } finally {
            consumers.fix("registry", "poll");
        }
        awaitReady("ready again", r -> r.statusCode() == 200);
        // The reader follows the topics again: a PUT answers once read back.
        String def = "loops-registry-" + RUN;
        api.registerDefinition(def, definition(def, step("one", "loops-registry-p-" + RUN, "reserve", "cancel", "2s",
                FAST_RETRY)));
        assertThat(restarts("registry")).isGreaterThan(restartsBefore);
    }

    @Test
    void shouldShowTheJournalFollowerDownWhileItsConsumerFailsAndWakeWaitsAfterwards() throws Exception {
        String participant = "loops-waits-" + RUN;
        String def = "loops-waits-" + RUN;
        participants.behave(participant, FakeHttpParticipant.SUCCEED);
        api.registerHttpParticipant(participant, participants.url(participant), "5s", null);
        api.registerDefinition(def, definition(def, step("one", participant, "reserve", "cancel", "2s", FAST_RETRY)));
        double restartsBefore = restarts("journal-follower");

        consumers.breakUntilFixed("journal-follower", "poll");
        try {
            HttpResponse<String> down = awaitReady("journal follower shown down", r -> r.statusCode() == 503
                    && r.body().contains("\"journal-follower\":\"RESTARTING"));
            assertThat(down.body()).contains("broken on purpose");
        } finally {
            consumers.fix("journal-follower", "poll");
        }
        awaitReady("ready again", r -> r.statusCode() == 200);
        long t0 = System.nanoTime();
        HttpResponse<String> answer = api.client.post("/v1/transactions?wait=20s", "application/json",
                ("{\"definition\":\"" + def + "\",\"input\":{}}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(answer.body()).contains("\"status\":\"COMPLETED\"");
        assertThat(waitedMs).as("woken by the journal, not by the end of the wait").isLessThan(15_000);
        assertThat(restarts("journal-follower")).isGreaterThan(restartsBefore);
    }

    private static double restarts(String component) throws Exception {
        double v = api.metric("sagalog_component_restarts_total", "{component=\"" + component + "\"}");
        assertThat(v).as("sagalog_component_restarts_total of " + component).isNotNaN();
        return v;
    }

    private static HttpResponse<String> awaitReady(String what, Predicate<HttpResponse<String>> condition) throws Exception {
        return org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20)).until(() -> api.get("/health/ready"), condition::test);
    }

    private static void awaitTrue(String what, java.util.function.BooleanSupplier condition) throws Exception {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(condition::getAsBoolean);
    }
}
