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
 * java -cp app/target/test-classes:app/target/classes:$(cat /tmp/cp.txt) io.sagalog.app.ClusterFaultBenchmark default
 * # or: ... ClusterFaultBenchmark recommended
 * }</pre>
 *
 * <p>Argument: the broker settings, {@code default} (Kafka's) or {@code recommended} (a broker is fenced after 3 s
 * without a heartbeat instead of 9 s: {@code broker.session.timeout.ms=3000}, {@code broker.heartbeat.interval.ms=1000};
 * see docs/operations.md). Optionally the rate (default 40 tx/s).
 *
 * <p>One cluster (3 broker JVMs, 2 engine JVMs, HTTP participants in this JVM), then in turn, each with 10 s of load
 * before the fault and 15 s after it ends: (a) kill -9 the broker leading most control partitions, restart it 30 s
 * later; (b) kill -9 engine-2, restart it 20 s later; (d) SIGSTOP engine-2 for 30 s; (c) kill -9 engine-2 for good.
 * Printed per fault: the longest stall (no transaction completed), the time until every transaction in flight at
 * the fault made its next step, p50/p99/max latency (createdAt to final) of all transactions of the window, and the
 * invariant violations, if any. The engines run on their defaults: one standby replica each.
 */
public final class ClusterFaultBenchmark {
    public static void main(String[] args) throws Exception {
        String settings = args.length > 0 ? args[0] : "default";
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : ClusterFaultIntegrationTest.RATE;
        Map<String, String> broker = settings.equals("recommended")
                ? Map.of("broker.session.timeout.ms", "3000", "broker.heartbeat.interval.ms", "1000") : Map.of();
        Path dir = Files.createTempDirectory("sagalog-cluster-bench");
        List<String> lines = new ArrayList<>();
        Vertx vertx = Vertx.vertx();
        try (LocalCluster cluster = LocalCluster.start(dir, 3, 2, broker, List.of());
             FakeHttpParticipant participants = FakeHttpParticipant.start(vertx)) {
            System.out.println(cluster.describe());
            ClusterFaultIntegrationTest.setUp(cluster, participants);
            Duration before = Duration.ofSeconds(10);
            Duration after = Duration.ofSeconds(15);
            BrokerProcess leader = cluster.kafka().leaderOfMost("sagalog.control");
            EngineInstance engine = cluster.engine(2);
            List<ClusterFaultIntegrationTest.Fault> faults = List.of(
                    new ClusterFaultIntegrationTest.Fault("(a) kill -9 broker leading most control partitions, back after 30 s",
                            leader::kill, Duration.ofSeconds(30), () -> {
                                leader.start();
                                cluster.kafka().awaitAll(Duration.ofSeconds(90));
                            }),
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
                var s = ClusterFaultIntegrationTest.run(cluster, participants, fault, rate, before, after);
                FaultReport r = s.report();
                lines.add(String.format("| %s | %.1f s | %.1f s (%d in flight) | %d ms | %d ms | %d ms | %d |", fault.name(),
                        r.longestStall.toMillis() / 1e3, r.allMovedAgain.toMillis() / 1e3, r.inFlightAtFault,
                        r.p50.toMillis(), r.p99.toMillis(), r.max.toMillis(), r.violations.size()));
            }
        } finally {
            vertx.close();
        }
        System.out.println("\nbroker settings: " + settings + " " + broker + ", " + rate + " tx/s, standby replicas: the engines' default (1)");
        System.out.println("| fault | longest stall | all in-flight moved again | p50 | p99 | max | violations |");
        System.out.println("|---|---|---|---|---|---|---|");
        lines.forEach(System.out::println);
        System.exit(0);
    }
}
