package io.sagalog.app;

import io.sagalog.app.cluster.BrokerCluster;
import io.sagalog.app.cluster.ClusterTopics;
import io.sagalog.app.cluster.EngineInstance;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * A Sagalog cluster of separate JVMs on loopback, as the fault tests break it: {@code brokers} KRaft brokers
 * ({@link BrokerCluster}, replication factor 3, {@code min.insync.replicas} 2) and {@code engines} instances of
 * {@code sagalog engine} ({@link EngineInstance}) of one application id, sharing one callback secret file, each on a
 * fixed HTTP port (a restarted instance is found where it was), without bearer tokens, loopback participants allowed.
 * Topics are created beforehand with three replicas ({@link ClusterTopics}; see {@link EngineInstance#REPLICATION_FLAGS}).
 */
final class LocalCluster implements AutoCloseable {
    static final String APPLICATION_ID = "sagalog-cluster-it";
    static final int PARTITIONS = 6;

    private final BrokerCluster kafka;
    private final List<EngineInstance> engines;

    private LocalCluster(BrokerCluster kafka, List<EngineInstance> engines) {
        this.kafka = kafka;
        this.engines = engines;
    }

    /**
     * @param brokerSettings broker settings on top of the cluster's (e.g. a shorter {@code broker.session.timeout.ms})
     * @param engineArgs further {@code sagalog engine} flags for every instance
     */
    static LocalCluster start(Path dir, int brokers, int engineCount, Map<String, String> brokerSettings,
                              List<String> engineArgs) throws Exception {
        BrokerCluster kafka = BrokerCluster.start(dir, brokers, 0, brokerSettings, "512m");
        List<EngineInstance> engines = new ArrayList<>();
        LocalCluster cluster = new LocalCluster(kafka, engines);
        try {
            try (Admin admin = kafka.admin()) {
                ClusterTopics.create(admin, PARTITIONS, (short) Math.min(3, brokers), List.of());
            }
            Path secret = dir.resolve("callback-secret");
            PrivateFiles.create(secret, Base64.getEncoder().encodeToString(SagalogNode.Options.randomSecret()));
            List<String> args = new ArrayList<>(List.of("--participant-allow=127.0.0.1/32"));
            args.addAll(engineArgs);
            for (int i = 1; i <= engineCount; i++) {
                engines.add(new EngineInstance(new EngineInstance.Settings("engine-" + i, kafka.bootstrap(),
                        dir.resolve("engine-" + i), APPLICATION_ID, APPLICATION_ID + "-" + i, EmbeddedKafka.freePort(),
                        PARTITIONS, secret, null, List.of(), args, "768m")));
            }
            for (EngineInstance e : engines) { // one after the other: the first publishes the secret's fingerprint
                e.start();
                e.awaitReady(Duration.ofSeconds(180));
            }
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    BrokerCluster kafka() {
        return kafka;
    }

    /** Engine {@code n}, from 1. */
    EngineInstance engine(int n) {
        return engines.get(n - 1);
    }

    List<EngineInstance> engines() {
        return List.copyOf(engines);
    }

    /** One line per process, for the test's log. */
    String describe() {
        StringBuilder b = new StringBuilder();
        kafka.brokers().forEach(x -> b.append(String.format("  broker-%d pid %d kafka %d controller %d %s%n",
                x.nodeId(), x.pid(), x.port(), x.controllerPort(), x.dir())));
        engines.forEach(e -> b.append(String.format("  %s pid %d http %d %s%n", e.settings().name(), e.pid(), e.port(),
                e.process().log())));
        return b.toString();
    }

    @Override
    public void close() {
        engines.parallelStream().forEach(e -> {
            try {
                e.close();
            } catch (RuntimeException x) {
                e.kill();
            }
        });
        kafka.close();
    }
}
