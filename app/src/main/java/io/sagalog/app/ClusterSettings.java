package io.sagalog.app;

import io.sagalog.engine.TopicSettings;
import java.time.Duration;

/**
 * How a node lays out its topics and engine tasks on the cluster.
 *
 * @param replicationFactor copies of every partition; 0 picks the smaller of 3 and the number of brokers
 * @param journalRetention how long the journal is kept; null leaves the broker default
 * @param standbyReplicas Kafka Streams standby replicas of each engine task; -1 leaves the Streams default (none)
 * @param archiveRetention how long the archive of expired transactions is kept ({@code --archive-retention})
 */
public record ClusterSettings(short replicationFactor, Duration journalRetention, int standbyReplicas,
                              Duration archiveRetention) {

    public ClusterSettings(short replicationFactor, Duration journalRetention, int standbyReplicas) {
        this(replicationFactor, journalRetention, standbyReplicas, TopicSettings.DEFAULT_ARCHIVE_RETENTION);
    }

    public ClusterSettings withArchiveRetention(Duration retention) {
        return new ClusterSettings(replicationFactor, journalRetention, standbyReplicas, retention);
    }

    /**
     * What programmatic nodes (tests, benchmarks) get: the factor from the cluster, the 30-day journal, no standby
     * (one instance has nowhere to put one). {@code sagalog engine} asks for one standby by default.
     */
    public static ClusterSettings defaults() {
        return new ClusterSettings((short) 0, TopicSettings.DEFAULT_JOURNAL_RETENTION, -1);
    }

    public ClusterSettings {
        archiveRetention = archiveRetention == null ? TopicSettings.DEFAULT_ARCHIVE_RETENTION : archiveRetention;
        if (replicationFactor < 0) {
            throw new IllegalArgumentException("the replication factor must be at least 1 (got " + replicationFactor + ")");
        }
    }

    /** The factor to use on a cluster of {@code brokers}. */
    short replicationFor(int brokers) {
        return replicationFactor > 0 ? replicationFactor : TopicSettings.defaultReplication(brokers);
    }
}
