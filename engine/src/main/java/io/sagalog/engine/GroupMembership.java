package io.sagalog.engine;

import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * How the consumer groups of one deployment (one application id) fail over: the engine's Streams group
 * ({@code <application-id>}) and the HTTP dispatcher's group ({@code <application-id>-http-dispatcher}).
 *
 * <p>A member that dies without leaving keeps its partitions until its session times out. Kafka's default of 45 s is
 * longer than a transaction with a few 5 s attempts survives, so both groups use {@link #SESSION_TIMEOUT}. A dead
 * member's partitions move after the session timeout (counted from its last heartbeat), plus up to one heartbeat
 * interval until the survivors hear of the rebalance, plus the rebalance and a standby's catch-up (about a second):
 * 10 s with a 3 s heartbeat came to 11-13 s, over the 10 s target; 6 s with a 1 s heartbeat comes to 6-8 s. Six
 * missed heartbeats still do not evict a member paused by a GC of a few seconds, and an evicted one only costs a
 * rebalance. 6 s is the brokers' default {@code group.min.session.timeout.ms}, the shortest they accept. With static
 * membership (an instance id), a restarted member takes its partitions back without a rebalance as long as it returns
 * within the session timeout.
 */
public final class GroupMembership {
    private GroupMembership() {}

    /** After this long without a heartbeat a member is evicted and its partitions move to the others. */
    public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);
    /**
     * A sixth of the session timeout (Kafka advises at most a third): a survivor hears of a rebalance at its next
     * heartbeat, so this is part of every fail-over; one small request a second per member is the cost.
     */
    public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

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
