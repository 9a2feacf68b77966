package io.sagalog.app;

import static io.sagalog.app.HttpParticipantsIntegrationTest.definition;
import static io.sagalog.app.HttpParticipantsIntegrationTest.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sagalog.app.cluster.BrokerProcess;
import io.sagalog.app.cluster.EngineInstance;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Sagalog as a highly available cluster, broken for real (issue 12): 3 KRaft brokers and 2 engine instances, each a
 * JVM of its own ({@link LocalCluster}), HTTP participants in this JVM ({@link FakeHttpParticipant}), and an open-loop
 * load of {@value #RATE} tx/s through both instances' HTTP ({@link FaultLoad}). Each scenario loads for
 * {@link #BEFORE} before the fault, through the fault, and {@link #AFTER} after it ends; then every accepted
 * transaction must be found, final and COMPLETED (the participants always succeed: a PARKED or rolled back one is the
 * fault's doing), its history seq without gaps, and every step's effect applied under one idempotency key
 * ({@link FaultReport}).
 *
 * <p>Durations (the CI budget is about 10 minutes on 2 cores): cluster start about 60 s; (a) 5 + 30 + 10 s of load,
 * (b) 5 + 20 (+ restart) + 10 s, (d) 5 + 30 + 10 s, (e) 5 + 20 (+ restart) + 10 s, (c) 5 + 25 s; each followed by
 * the drain (every accepted transaction final, at most {@link #DRAIN}) and the checks. (c) runs last: it leaves one
 * engine. The fault durations are the and are deliberate timed waits; figures are printed, not asserted
 * (they are measured by {@code ClusterFaultBenchmark}).
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultIntegrationTest {
    static final int RATE = 40;
    static final Duration BEFORE = Duration.ofSeconds(5);
    static final Duration AFTER = Duration.ofSeconds(10);
    static final Duration DRAIN = Duration.ofSeconds(120);
    static final String DEFINITION = "cluster-fault";
    static final String RETRY = "{\"maxAttempts\":5,\"initialBackoff\":\"500ms\",\"maxBackoff\":\"5s\"}";
    /** participant, step, action of the definition's steps. */
    static final List<String[]> STEPS = List.of(new String[] {"cf-a", "reserve", "reserve"},
            new String[] {"cf-b", "charge", "charge"});

    private static LocalCluster cluster;
    private static Vertx vertx;
    private static FakeHttpParticipant participants;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("sagalog-cluster-it");
        cluster = LocalCluster.start(dir, 3, 2, Map.of(), List.of());
        System.out.println("cluster-fault: processes\n" + cluster.describe());
        vertx = Vertx.vertx();
        participants = FakeHttpParticipant.start(vertx);
        setUp(cluster, participants);
    }

    /** Registers the participants and the definition, and waits until a transaction completes through each engine. */
    static void setUp(LocalCluster cluster, FakeHttpParticipant participants) throws Exception {
        HttpTestNode.Api api = new HttpTestNode.Api(cluster.engine(1).port());
        for (String[] s : STEPS) {
            var r = api.put("/v1/participants/" + s[0], "{\"transport\":\"http\",\"url\":\"" + participants.url(s[0])
                    + "\",\"timeout\":\"5s\",\"maxConcurrency\":32}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        api.registerDefinition(DEFINITION, definition(DEFINITION, STEPS.stream()
                .map(s -> step(s[1], s[0], s[2], "undo-" + s[2], "5s", RETRY)).toArray(String[]::new)));
        for (EngineInstance e : cluster.engines()) {
            HttpTestClient client = new HttpTestClient(e.port());
            String[] txId = new String[1];
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                var r = client.submit("{\"definition\":\"" + DEFINITION + "\",\"input\":{}}");
                if (r.statusCode() == 202) {
                    txId[0] = HttpTestClient.JSON.readTree(r.body()).path("txId").asText();
                }
                return txId[0] != null;
            });
            assertThat(client.awaitFinal(txId[0], Duration.ofSeconds(60)).path("status").asText()).isEqualTo("COMPLETED");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (participants != null) {
                participants.close();
            }
            if (vertx != null) {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    /** A fault: what causes it, how long it lasts, and how it ends (null: it does not). */
    record Fault(String name, Runnable cause, Duration lasting, Runnable end) {}

    /** One scenario: load, fault, load after, drain; the result of every accepted transaction. */
    static Scenario run(LocalCluster cluster, FakeHttpParticipant participants, Fault fault, int rate,
                        Duration before, Duration after) throws Exception {
        try (FaultLoad load = new FaultLoad(n -> cluster.engine(n).baseUrl(), cluster.engines().size(), DEFINITION)) {
            load.start(rate);
            load.awaitOffered(rate, before);
            Instant faultAt = Instant.now();
            fault.cause().run();
            Instant causedAt = Instant.now();
            load.awaitOffered(rate, fault.lasting());
            Instant endingAt = Instant.now();
            if (fault.end() != null) {
                fault.end().run();
            }
            Instant endedAt = Instant.now();
            load.awaitOffered(rate, after);
            load.stop();
            List<FaultLoad.Submit> accepted = load.accepted();
            var txs = load.awaitFinal(accepted.stream().map(FaultLoad.Submit::txId).filter(java.util.Objects::nonNull).toList(), DRAIN);
            FaultReport report = new FaultReport(accepted, txs, STEPS, participants.calls(), faultAt);
            List<FaultLoad.Submit> all = load.submits();
            Map<Integer, Long> answers = all.stream().collect(java.util.stream.Collectors.groupingBy(
                    FaultLoad.Submit::status, java.util.TreeMap::new, java.util.stream.Collectors.counting()));
            System.out.printf("cluster-fault (%s): submits %d answers %s; %s%n", fault.name(), all.size(), answers, report.figures());
            if (!report.violations.isEmpty()) {
                System.out.println("cluster-fault (" + fault.name() + "): " + report.violations(40));
            }
            return new Scenario(report, all, faultAt, causedAt, endingAt, endedAt, accepted, txs);
        }
    }

    record Scenario(FaultReport report, List<FaultLoad.Submit> submits, Instant faultAt, Instant causedAt,
                    Instant endingAt, Instant endedAt, List<FaultLoad.Submit> accepted,
                    Map<String, com.fasterxml.jackson.databind.JsonNode> txs) {
        void assertNothingLostOrBroken() {
            assertThat(report.accepted).as("accepted transactions").isGreaterThan(0);
            assertThat(report.violations).as(report.violations(40)).isEmpty();
        }
    }

    private static Runnable unchecked(ThrowingRunnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    @Order(1)
    void a_theBrokerLeadingMostControlPartitionsKilledAndRestarted30sLater() throws Exception {
        BrokerProcess leader = cluster.kafka().leaderOfMost("sagalog.control");
        Scenario s = run(cluster, participants, new Fault("a: kill -9 broker-" + leader.nodeId(), leader::kill,
                Duration.ofSeconds(30), unchecked(() -> {
                    leader.start();
                    cluster.kafka().awaitAll(Duration.ofSeconds(90));
                })), RATE, BEFORE, AFTER);
        s.assertNothingLostOrBroken();
    }

    @Test
    @Order(2)
    void b_anEngineKilledAndRestarted20sLater() throws Exception {
        EngineInstance engine = cluster.engine(2);
        Scenario s = run(cluster, participants, new Fault("b: kill -9 engine-2, restart after 20 s", engine::kill,
                Duration.ofSeconds(20), unchecked(() -> {
                    engine.start();
                    engine.awaitReady(Duration.ofSeconds(120));
                })), RATE, BEFORE, AFTER);
        s.assertNothingLostOrBroken();
    }

    @Test
    @Order(3)
    void d_anEngineStoppedFor30sThenContinued() throws Exception {
        EngineInstance engine = cluster.engine(2);
        Scenario s = run(cluster, participants, new Fault("d: SIGSTOP engine-2 for 30 s", engine::suspend,
                Duration.ofSeconds(30), engine::resume), RATE, BEFORE, AFTER);
        s.assertNothingLostOrBroken();
    }

    @Test
    @Order(4)
    void e_twoOfThreeBrokersDownFor20s_ingestAnswers503NeverAnUnreplicated202_andRecovers() throws Exception {
        List<BrokerProcess> two = List.of(cluster.kafka().broker(2), cluster.kafka().broker(3));
        Scenario s = run(cluster, participants, new Fault("e: kill -9 broker-2 and broker-3 for 20 s",
                () -> two.forEach(BrokerProcess::kill), Duration.ofSeconds(20), unchecked(() -> {
                    two.forEach(BrokerProcess::start);
                    cluster.kafka().awaitAll(Duration.ofSeconds(90));
                })), RATE, BEFORE, Duration.ofSeconds(15));
        // Sent once both were dead and before they were started again: only one replica of anything was up, fewer than
        // min.insync.replicas (2), so nothing can have been acknowledged with acks=all.
        List<FaultLoad.Submit> during = s.submits().stream()
                .filter(x -> x.sentAt().isAfter(s.causedAt()) && x.sentAt().isBefore(s.endingAt())).toList();
        assertThat(during).as("submits while two brokers were down").isNotEmpty();
        assertThat(during).as("never 202 while only one broker is up").noneMatch(FaultLoad.Submit::accepted);
        assertThat(during.stream().filter(x -> x.status() == 503).count()).as("answered 503 (others: " + during.stream()
                .filter(x -> x.status() != 503).map(x -> x.status() + " " + x.error()).distinct().limit(5).toList() + ")")
                .isGreaterThan(during.size() / 2);
        List<FaultLoad.Submit> afterwards = s.submits().stream().filter(x -> x.sentAt().isAfter(s.endedAt())).toList();
        assertThat(afterwards).as("submits once all brokers were back are accepted again").anyMatch(FaultLoad.Submit::accepted);
        s.assertNothingLostOrBroken();
    }

    @Test
    @Order(5)
    void c_anEngineKilledForGood() throws Exception {
        EngineInstance engine = cluster.engine(2);
        Scenario s = run(cluster, participants, new Fault("c: kill -9 engine-2 for good", engine::kill,
                Duration.ofSeconds(25), null), RATE, BEFORE, Duration.ZERO);
        List<FaultLoad.Submit> toTheSurvivor = s.submits().stream()
                .filter(x -> x.engine() == 1 && x.sentAt().isAfter(s.faultAt().plusSeconds(15))).toList();
        assertThat(toTheSurvivor).as("the surviving instance accepts submits once it took over").anyMatch(FaultLoad.Submit::accepted);
        s.assertNothingLostOrBroken();
    }
}
