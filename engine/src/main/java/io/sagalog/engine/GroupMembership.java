package io.sagalog.engine;

import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * How the consumer groups of one deployment (one application id) fail over: the engine's Streams group
 * ({@code <application-id>}) and the HTTP dispatcher's group ({@code <application-id>-http-dispatcher}).
 *
 * <p>A member that dies without leaving keeps its partitions until its session times out. Kafka's default of 45 s is
 * longer than a transaction with a few 5 s attempts survives, so both groups use {@link #SESSION_TIMEOUT}: short
 * enough to fail over within the 10 s target, long enough (three missed heartbeats, a full GC pause of a few seconds)
 * not to evict a healthy member under load. Brokers accept it: their {@code group.min.session.timeout.ms} is 6 s by
 * default. With static membership (an instance id), a restarted member takes its partitions back without a rebalance
 * as long as it returns within the session timeout.
 */
public final class GroupMembership {
    private GroupMembership() {}

    /** After this long without a heartbeat a member is evicted and its partitions move to the others. */
    public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
    /** A third of the session timeout, as Kafka advises: two lost heartbeats do not evict a member. */
    public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(3);

    /** The HTTP dispatcher's consumer group: one per deployment, as the engine's. */
    public static String dispatcherGroup(String applicationId) {
        return applicationId + "-http-dispatcher";
    }

    /** The dispatcher's static member id, derived from the engine's, or null without one (dynamic membership). */
    public static String dispatcherInstance(String instanceId) {
        return instanceId == null ? null : instanceId + "-http-dispatcher";
    }

    /** Puts the session timeout and heartbeat interval, each key with {@code prefix} (Streams' consumer prefix or ""). */
    public static void applyTimeouts(Properties config, String prefix) {
        config.put(prefix + ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) SESSION_TIMEOUT.toMillis());
        config.put(prefix + ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) HEARTBEAT_INTERVAL.toMillis());
    }
}
