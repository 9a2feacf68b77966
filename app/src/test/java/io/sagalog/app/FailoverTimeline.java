package io.sagalog.app;

import io.sagalog.app.cluster.BrokerCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * Where a broker loss's stall goes, as the cluster itself reports it: polled every 100 ms from the kill until every
 * step has happened, (1) a new KRaft controller leader (only if the dead broker was the active controller),
 * (2) the dead broker fenced (gone from {@code describeCluster}, which lists unfenced brokers), (3) every partition of
 * the control topic led by a live broker. What remains of the stall after (3) is the clients' (metadata refresh,
 * retries) and the engine's catching up.
 */
final class FailoverTimeline implements AutoCloseable {
    private final java.util.concurrent.ScheduledThreadPoolExecutor poller =
            new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "failover-timeline");
                t.setDaemon(true);
                return t;
            });
    private final BrokerCluster kafka;
    private final int deadId;
    private final String topic;
    private Admin admin;
    private final Instant killedAt;
    private final boolean wasController;
    volatile Duration newController;
    volatile Duration fenced;
    volatile Duration leadersMoved;

    private FailoverTimeline(BrokerCluster kafka, int deadId, String topic, Instant killedAt, boolean wasController) {
        this.killedAt = killedAt;
        this.wasController = wasController;
        this.kafka = kafka;
        this.deadId = deadId;
        this.topic = topic;
    }

    /** Call just before the kill: notes whether {@code deadId} is the active controller, then polls once it is dead. */
    static FailoverTimeline watch(BrokerCluster kafka, int deadId, String topic) throws Exception {
        boolean controller;
        try (Admin admin = kafka.admin()) {
            controller = admin.describeMetadataQuorum().quorumInfo().get(5, TimeUnit.SECONDS).leaderId() == deadId;
        }
        FailoverTimeline t = new FailoverTimeline(kafka, deadId, topic, Instant.now(), controller);
        t.start();
        return t;
    }

    /** Asks the cluster every 100 ms (each question bounded by 1 s) until every step was seen, for at most 60 s. */
    private void start() {
        // Once every step was seen, shutting down ends the poller at once, not after the 60 s bound below.
        poller.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        poller.execute(() -> admin = kafka.admin());
        poller.scheduleWithFixedDelay(this::askOnce, 0, 100, TimeUnit.MILLISECONDS);
        poller.schedule(poller::shutdown, 60, TimeUnit.SECONDS);
    }

    private void askOnce() {
        if (newController != null && fenced != null && leadersMoved != null) {
            poller.shutdown();
            return;
        }
        try {
            if (newController == null) {
                int leader = admin.describeMetadataQuorum().quorumInfo().get(1, TimeUnit.SECONDS).leaderId();
                if (leader != deadId && leader >= 0) {
                    newController = since();
                }
            }
            if (fenced == null && admin.describeCluster().nodes().get(1, TimeUnit.SECONDS).stream()
                    .noneMatch(n -> n.id() == deadId)) {
                fenced = since();
            }
            if (leadersMoved == null && admin.describeTopics(List.of(topic)).allTopicNames().get(1, TimeUnit.SECONDS)
                    .get(topic).partitions().stream().allMatch(p -> p.leader() != null && p.leader().id() != deadId)) {
                leadersMoved = since();
            }
        } catch (Exception e) {
            // no answer within 1 s (no controller yet): ask again at the next tick
        }
    }

    private Duration since() {
        return Duration.between(killedAt, Instant.now());
    }

    /** E.g. {@code controller: was the active one, new after 2.1 s; fenced 11.3 s; control leaders moved 11.4 s}. */
    String describe() {
        return String.format("controller %s; fenced after %s; control partitions' leaders moved after %s",
                wasController ? "was the active one, a new one after " + seconds(newController) : "elsewhere",
                seconds(fenced), seconds(leadersMoved));
    }

    private static String seconds(Duration d) {
        return d == null ? "(not seen)" : String.format("%.1f s", d.toMillis() / 1e3);
    }

    @Override
    public void close() throws InterruptedException {
        poller.awaitTermination(65, TimeUnit.SECONDS);
        poller.shutdownNow();
        if (admin != null) {
            admin.close();
        }
    }
}
