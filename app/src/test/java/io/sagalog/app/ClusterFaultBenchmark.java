package io.sagalog.app;

import io.sagalog.app.cluster.BrokerProcess;
import io.sagalog.app.cluster.EngineInstance;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the faults (a)-(d) of {@link ClusterFaultIntegrationTest} cost, measured rather than asserted. Not a test; run
 * with
 *
 * <pre>{@code
 * mvn -B -o -q -pl app -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp app/target/test-classes:app/target/classes:$(cat /tmp/cp.txt) io.sagalog.app.ClusterFaultBenchmark default broker
 * java -cp ... io.sagalog.app.ClusterFaultBenchmark recommended broker
 * java -cp ... io.sagalog.app.ClusterFaultBenchmark recommended engines 0,1
 * }</pre>
 *
 * <p>Arguments: (1) the broker settings, {@code default} (Kafka's) or {@code recommended} (see {@link #RECOMMENDED}
 * and docs/operations.md); (2) what to run: {@code broker} (fault (a) on a cluster with one standby replica),
 * {@code engines} (faults (b), (d), (c) once per standby setting, each on a fresh cluster) or {@code all} (default:
 * both); (3) the standby replicas for {@code engines}, in the order run (default {@code 0,1}: alternate the order
 * between runs); (4) the rate (default 40 tx/s).
 *
 * <p>Each fault has 10 s of load before it and 15 s after it ends: (a) kill -9 the broker leading most control
 * partitions, restart it 30 s later (with the cluster's own timeline: controller, fencing, new leaders); (b) kill -9
 * engine-2, restart it 20 s later; (d) SIGSTOP engine-2 for 30 s; (c) kill -9 engine-2 for good. Printed per fault:
 * the longest stall (no transaction completed), the time until every transaction in flight at the fault made its next
 * step, p50/p99/max latency (createdAt to final) of all transactions of the window, the invariant violations, and for
 * the engine faults what each instance restored from the changelogs ({@link RestoreLog}); for (b) also the same
 * figures from the moment the killed instance was started again.
 */
public final class ClusterFaultBenchmark {
    /** Broker settings the docs recommend: a dead broker fenced after 3 s without a heartbeat instead of 9 s. */
    static final Map<String, String> RECOMMENDED = Map.of("broker.session.timeout.ms", "3000",
            "broker.heartbeat.interval.ms", "1000");
    private static final Duration BEFORE = Duration.ofSeconds(10);
    private static final Duration AFTER = Duration.ofSeconds(15);

    public static void main(String[] args) throws Exception {
        String settings = args.length > 0 ? args[0] : "default";
        String what = args.length > 1 ? args[1] : "all";
        List<Integer> standbys = (args.length > 2 ? List.of(args[2].split(",")) : List.of("0", "1")).stream()
                .map(Integer::parseInt).toList();
        int rate = args.length > 3 ? Integer.parseInt(args[3]) : ClusterFaultIntegrationTest.RATE;
        Map<String, String> broker = settings.equals("recommended") ? RECOMMENDED : Map.of();
        List<String> lines = new ArrayList<>();
        Vertx vertx = Vertx.vertx();
        try (FakeHttpParticipant participants = FakeHttpParticipant.start(vertx)) {
            if (what.equals("all") || what.equals("broker")) {
                brokerFault(broker, participants, rate, lines);
            }
            if (what.equals("all") || what.equals("engines")) {
                for (int standby : standbys) {
                    engineFaults(broker, standby, participants, rate, lines);
                }
            }
        } finally {
            vertx.close();
        }
        System.out.println("\nbroker settings: " + settings + " " + broker + ", " + rate + " tx/s, " + java.time.Instant.now());
        System.out.println("| fault | standby | longest stall | all in-flight moved again | longest wait for a next step | p50 | p99 | max | violations | restored |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        lines.forEach(System.out::println);
        System.exit(0);
    }

    private static LocalCluster cluster(Map<String, String> broker, int standby, FakeHttpParticipant participants)
            throws Exception {
        Path dir = Files.createTempDirectory("sagalog-cluster-bench");
        LocalCluster cluster = LocalCluster.start(dir, 3, 2, broker, List.of("--standby-replicas=" + standby));
        System.out.println(cluster.describe());
        ClusterFaultIntegrationTest.setUp(cluster, participants);
        return cluster;
    }

    private static void brokerFault(Map<String, String> broker, FakeHttpParticipant participants, int rate,
                                    List<String> lines) throws Exception {
        try (LocalCluster cluster = cluster(broker, 1, participants)) {
            BrokerProcess leader = cluster.kafka().leaderOfMost("sagalog.control");
            FailoverTimeline[] timeline = new FailoverTimeline[1];
            var fault = new ClusterFaultIntegrationTest.Fault("(a) kill -9 broker leading most control partitions, back after 30 s",
                    () -> {
                        try {
                            timeline[0] = FailoverTimeline.watch(cluster.kafka(), leader.nodeId(), "sagalog.control");
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        leader.kill();
                    }, Duration.ofSeconds(30), () -> {
                        leader.start();
                        cluster.kafka().awaitAll(Duration.ofSeconds(90));
                    });
            var s = ClusterFaultIntegrationTest.run(cluster, participants, fault, rate, BEFORE, AFTER);
            timeline[0].close();
            lines.add(row(fault.name(), 1, s.report(), timeline[0].describe() + "; " + refusals(s)));
        }
    }

    private static void engineFaults(Map<String, String> broker, int standby, FakeHttpParticipant participants, int rate,
                                     List<String> lines) throws Exception {
        try (LocalCluster cluster = cluster(broker, standby, participants)) {
            EngineInstance survivor = cluster.engine(1);
            EngineInstance engine = cluster.engine(2);
            List<ClusterFaultIntegrationTest.Fault> faults = List.of(
                    new ClusterFaultIntegrationTest.Fault("(b) kill -9 engine-2, back after 20 s", engine::kill,
                            Duration.ofSeconds(20), () -> {
                                engine.start();
                                try {
                                    engine.awaitReady(Duration.ofSeconds(120));
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            }),
                    new ClusterFaultIntegrationTest.Fault("(d) SIGSTOP engine-2 for 30 s", engine::suspend,
                            Duration.ofSeconds(30), engine::resume),
                    new ClusterFaultIntegrationTest.Fault("(c) kill -9 engine-2 for good", engine::kill,
                            Duration.ofSeconds(30), null));
            for (var fault : faults) {
                int mark1 = RestoreLog.mark(survivor);
                int mark2 = RestoreLog.mark(engine);
                var s = ClusterFaultIntegrationTest.run(cluster, participants, fault, rate, BEFORE, AFTER);
                String restored = "engine-1: " + RestoreLog.since(survivor, mark1) + "; engine-2: " + RestoreLog.since(engine, mark2);
                lines.add(row(fault.name(), standby, s.report(), restored));
                if (fault.name().startsWith("(b)")) {
                    // From the moment the killed instance was started again: how soon its transactions moved again.
                    FaultReport back = new FaultReport(s.accepted(), s.txs(), ClusterFaultIntegrationTest.STEPS,
                            participants.calls(), s.endingAt());
                    lines.add(row("(b) from engine-2's restart", standby, back, "engine-2 ready after "
                            + Duration.between(s.endingAt(), s.endedAt()).toMillis() / 1000.0 + " s"));
                }
            }
        }
    }

    /**
     * When the stall began and what admission refused meanwhile: the stall counts only accepted transactions, so
     * submits refused with 503 while the cluster recovers lengthen it once the accepted ones have completed.
     */
    static String refusals(ClusterFaultIntegrationTest.Scenario s) {
        var after = s.submits().stream().filter(x -> !x.sentAt().isBefore(s.faultAt())).toList();
        var refused = after.stream().filter(x -> x.status() == 503).toList();
        String last = refused.isEmpty() ? "none" : String.format("the last at +%.1f s",
                Duration.between(s.faultAt(), refused.get(refused.size() - 1).sentAt()).toMillis() / 1e3);
        String stallFrom = s.report().stallFrom == null ? "?" : String.format("+%.1f s",
                Duration.between(s.faultAt(), s.report().stallFrom).toMillis() / 1e3);
        return "stall from " + stallFrom + "; 503 to " + refused.size() + " of " + after.size()
                + " submits from the fault, " + last;
    }

    private static String row(String name, int standby, FaultReport r, String notes) {
        return String.format("| %s | %d | %.1f s | %.1f s (%d in flight) | %.1f s | %d ms | %d ms | %d ms | %d | %s |", name,
                standby, r.longestStall.toMillis() / 1e3, r.allMovedAgain.toMillis() / 1e3, r.inFlightAtFault,
                r.longestWait.toMillis() / 1e3,
                r.p50.toMillis(), r.p99.toMillis(), r.max.toMillis(), r.violations.size(), notes);
    }
}
