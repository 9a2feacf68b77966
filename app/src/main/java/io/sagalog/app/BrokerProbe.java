package io.sagalog.app;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Asks the Kafka cluster every few seconds whether it answers, on its own thread, so readiness checks read the
 * latest answer instead of calling the broker from an HTTP event loop.
 */
final class BrokerProbe implements AutoCloseable {
    private static final Duration EVERY = Duration.ofSeconds(3);

    private final Admin admin;
    private final ScheduledExecutorService timer;
    private volatile String state = "UNKNOWN";
    private volatile boolean reachable;
    private volatile Instant checkedAt = Instant.EPOCH;

    BrokerProbe(io.sagalog.schemas.KafkaClients kafka) {
        this.admin = Admin.create(kafka.config(Map.of(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_500)));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sagalog-broker-probe");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::probe, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void probe() {
        try {
            int nodes = admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).size();
            reachable = nodes > 0;
            state = nodes > 0 ? "REACHABLE (" + nodes + (nodes == 1 ? " broker)" : " brokers)") : "NO BROKERS";
        } catch (Exception e) {
            reachable = false;
            state = "UNREACHABLE (" + e.getClass().getSimpleName() + ")";
        }
        checkedAt = Instant.now();
    }

    /** Reachable at the last check, and that check is recent. */
    boolean reachable() {
        return reachable && Duration.between(checkedAt, Instant.now()).compareTo(EVERY.multipliedBy(4)) < 0;
    }

    String state() {
        return state;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        admin.close(Duration.ofSeconds(2));
    }
}
