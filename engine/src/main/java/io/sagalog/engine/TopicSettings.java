package io.sagalog.engine;

import java.time.Duration;

/**
 * How Sagalog's topics are laid out on the cluster.
 *
 * @param partitions partitions of the control, journal and step topics (the registry topics have one)
 * @param replicationFactor copies of every partition, the Streams internal topics' included
 * @param journalRetention how long the journal (the audit trail) is kept; null leaves it to the broker default
 * @param archiveRetention how long the archive of expired transactions is kept ({@code --archive-retention})
 */
public record TopicSettings(int partitions, short replicationFactor, Duration journalRetention,
                            Duration archiveRetention) {

    /** A year: the archive is what remains of a transaction once its retention in the stores is over. */
    public static final Duration DEFAULT_ARCHIVE_RETENTION = Duration.ofDays(365);

    /** With the default archive retention. */
    public TopicSettings(int partitions, short replicationFactor, Duration journalRetention) {
        this(partitions, replicationFactor, journalRetention, DEFAULT_ARCHIVE_RETENTION);
    }

    public TopicSettings withArchiveRetention(Duration retention) {
        return new TopicSettings(partitions, replicationFactor, journalRetention, retention);
    }

    /** Thirty days: an audit trail must outlive the broker default of seven days a month-end review needs. */
    public static final Duration DEFAULT_JOURNAL_RETENTION = Duration.ofDays(30);

    /**
     * A retention as operators write it: {@code 30d} (days, what retention is counted in), or any form
     * {@link Durations#parse} takes ({@code 12h}, {@code PT720H}).
     */
    public static Duration parseRetention(String text) {
        String t = text.trim();
        if (t.matches("\\d{1,5}d")) {
            return Duration.ofDays(Long.parseLong(t.substring(0, t.length() - 1)));
        }
        return Durations.parse(t);
    }

    /** {@code 30d} for whole days, else the ISO form: how retentions are shown in messages. */
    public static String show(Duration d) {
        return d.toHours() % 24 == 0 && d.toMillis() % 3_600_000 == 0 ? d.toDays() + "d" : d.toString();
    }

    public TopicSettings {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1 (got " + partitions + ")");
        }
        archiveRetention = archiveRetention == null ? DEFAULT_ARCHIVE_RETENTION : archiveRetention;
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("the replication factor must be at least 1 (got " + replicationFactor + ")");
        }
    }

    /**
     * Two with three or more copies: an append acknowledged to a client is then on two brokers, so losing any one
     * broker loses nothing, and one broker may be down (a rolling restart) while writes go on. With fewer copies
     * requiring two would stop every write when one broker is down, so one it is.
     */
    public int minInsyncReplicas() {
        return replicationFactor >= 3 ? 2 : 1;
    }

    /** The default factor on a cluster of {@code brokers}: three copies where there are three brokers, else one each. */
    public static short defaultReplication(int brokers) {
        return (short) Math.max(1, Math.min(3, brokers));
    }
}
