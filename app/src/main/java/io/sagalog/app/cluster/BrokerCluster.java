package io.sagalog.app.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A KRaft cluster of {@code n} brokers on loopback, each a JVM of its own ({@link BrokerProcess}), every one broker
 * and controller (so {@code n} voters), formatted with one cluster id. Topics default to a replication factor of
 * {@code min(3, n)} and {@code min.insync.replicas} 2 from 3 replicas on, Kafka's internal topics too.
 */
public final class BrokerCluster implements AutoCloseable {
    private final List<BrokerProcess> brokers;
    private final String clusterId;

    private BrokerCluster(List<BrokerProcess> brokers, String clusterId) {
        this.brokers = brokers;
        this.clusterId = clusterId;
    }

    /** The broker settings of a cluster of {@code n}: replication, Kafka's defaults otherwise. */
    public static Map<String, String> settings(int n) {
        int factor = Math.min(3, n);
        String minIsr = factor >= 3 ? "2" : "1";
        Map<String, String> s = new HashMap<>();
        s.put("default.replication.factor", Integer.toString(factor)); // also Streams' internal topics (replication.factor -1)
        s.put("min.insync.replicas", minIsr);
        s.put("offsets.topic.replication.factor", Integer.toString(factor));
        s.put("offsets.topic.num.partitions", "6");
        s.put("transaction.state.log.replication.factor", Integer.toString(factor));
        s.put("transaction.state.log.min.isr", minIsr);
        s.put("transaction.state.log.num.partitions", "6");
        s.put("share.coordinator.state.topic.replication.factor", Integer.toString(factor));
        s.put("share.coordinator.state.topic.min.isr", minIsr);
        s.put("group.initial.rebalance.delay.ms", "0");
        s.put("auto.create.topics.enable", "false");
        s.put("log.cleaner.dedupe.buffer.size", Long.toString(16L * 1024 * 1024));
        return s;
    }

    /**
     * Prepares, formats and starts {@code n} brokers under {@code dir} ({@code dir/broker-<id>}) and waits until all
     * are registered.
     *
     * @param basePort 0 for free ports; else broker i (from 1) listens on {@code basePort + i - 1} and its
     *     controller on {@code basePort + 100 + i - 1}
     * @param overrides broker settings on top of {@link #settings(int)} (e.g. a shorter {@code broker.session.timeout.ms})
     */
    public static BrokerCluster start(Path dir, int n, int basePort, Map<String, String> overrides, String heap) {
        List<int[]> ports = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ports.add(basePort == 0 ? new int[] {freePort(), freePort()} : new int[] {basePort + i, basePort + 100 + i});
        }
        String voters = java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> (i + 1) + "@127.0.0.1:" + ports.get(i)[1]).collect(Collectors.joining(","));
        Map<String, String> all = new HashMap<>(settings(n));
        all.putAll(overrides);
        String clusterId = Uuid.randomUuid().toString();
        List<BrokerProcess> brokers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BrokerProcess b = new BrokerProcess(i + 1, ports.get(i)[0], ports.get(i)[1], dir.resolve("broker-" + (i + 1)),
                    voters, all, heap);
            b.format(clusterId);
            brokers.add(b);
        }
        BrokerCluster cluster = new BrokerCluster(brokers, clusterId);
        try {
            brokers.forEach(BrokerProcess::start);
            cluster.awaitAll(Duration.ofSeconds(300)); // generous: on a busy 2-core machine a broker JVM can take minutes
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** Waits until every broker is registered and unfenced, as the cluster sees it. */
    public void awaitAll(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (BrokerProcess b : brokers) {
            if (b.isAlive()) {
                b.awaitReady(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            }
        }
        try (Admin admin = admin()) {
            while (true) {
                try {
                    if (admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).size() == brokers.size()) {
                        return;
                    }
                } catch (Exception e) {
                    // not yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not all " + brokers.size() + " brokers registered within " + timeout);
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An admin client on every broker of the cluster, with short timeouts. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000));
    }

    /** Every broker, comma-separated. */
    public String bootstrap() {
        return brokers.stream().map(BrokerProcess::bootstrap).collect(Collectors.joining(","));
    }

    public List<BrokerProcess> brokers() {
        return List.copyOf(brokers);
    }

    /** Broker with node id {@code id} (from 1). */
    public BrokerProcess broker(int id) {
        return brokers.get(id - 1);
    }

    /** The broker that leads most partitions of {@code topic}. */
    public BrokerProcess leaderOfMost(String topic) throws Exception {
        try (Admin admin = admin()) {
            var description = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
            Map<Integer, Long> led = description.partitions().stream().filter(p -> p.leader() != null)
                    .collect(Collectors.groupingBy(p -> p.leader().id(), Collectors.counting()));
            int id = led.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            return broker(id);
        }
    }

    public String clusterId() {
        return clusterId;
    }

    @Override
    public void close() {
        // In parallel: a broker waits for its peers on a controlled shutdown; the last ones are killed after the grace.
        brokers.parallelStream().forEach(BrokerProcess::close);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
