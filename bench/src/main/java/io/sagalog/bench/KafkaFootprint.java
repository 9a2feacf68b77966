package io.sagalog.bench;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;

/**
 * How much a workload writes to Kafka: records and log bytes per topic between two snapshots, and per transaction.
 * Throughput differences between processing guarantees or engine versions usually come from I/O: an extra record
 * per step, a bigger state value in a changelog, transaction markers, offset commits. Counting what actually
 * landed in the broker's logs, changelogs and internal topics included, makes that cost visible and comparable,
 * independent of how fast the machine is.
 *
 * <p>Records are counted as the growth of each partition's end offset, so they include transaction control
 * records (commit markers under exactly-once), which are real writes. Bytes are the growth of each topic's log
 * size on the brokers' disks, summed over replicas; compaction, retention or segment deletion in between can make
 * a topic's byte delta smaller or even negative, and it is reported as is. {@code __consumer_offsets},
 * {@code __transaction_state} and any other topic starting with {@code __} are reported apart, because their
 * writes are shared by everything on the broker and should be judged separately. Topics that vanished before the
 * second snapshot are left out (a deleted topic's log can linger on disk for a while; it is ignored too); topics
 * created in between count from zero.
 */
public final class KafkaFootprint {
    private static final long TIMEOUT_SECONDS = 30;

    private KafkaFootprint() {
    }

    /**
     * The state of the broker's logs at one moment.
     *
     * @param endOffsets      end offset (high watermark) of every partition of every topic
     * @param logBytesByTopic bytes of log on disk per topic, all partitions and replicas
     */
    public record Snapshot(Map<TopicPartition, Long> endOffsets, Map<String, Long> logBytesByTopic) {
        public Snapshot {
            endOffsets = Map.copyOf(endOffsets);
            logBytesByTopic = Map.copyOf(logBytesByTopic);
        }
    }

    /** What one topic gained between two snapshots. */
    public record TopicDelta(long records, long bytes) {}

    /**
     * What was written between two snapshots, topics that did not change left out.
     *
     * @param topics         application topics, Streams changelog and repartition topics included, by name
     * @param internalTopics topics starting with {@code __}, by name
     */
    public record Delta(Map<String, TopicDelta> topics, Map<String, TopicDelta> internalTopics) {
        public Delta {
            topics = java.util.Collections.unmodifiableMap(new TreeMap<>(topics));
            internalTopics = java.util.Collections.unmodifiableMap(new TreeMap<>(internalTopics));
        }

        public long records() {
            return topics.values().stream().mapToLong(TopicDelta::records).sum();
        }

        public long bytes() {
            return topics.values().stream().mapToLong(TopicDelta::bytes).sum();
        }

        public long internalRecords() {
            return internalTopics.values().stream().mapToLong(TopicDelta::records).sum();
        }

        public long internalBytes() {
            return internalTopics.values().stream().mapToLong(TopicDelta::bytes).sum();
        }

        public long totalRecords() {
            return records() + internalRecords();
        }

        public long totalBytes() {
            return bytes() + internalBytes();
        }

        /**
         * Only the application topics the filter accepts (say, those of one engine's application id and the
         * Sagalog topics), to leave out other workloads that shared the broker; internal topics are kept.
         */
        public Delta only(Predicate<String> topicFilter) {
            Map<String, TopicDelta> kept = new TreeMap<>();
            topics.forEach((t, d) -> {
                if (topicFilter.test(t)) {
                    kept.put(t, d);
                }
            });
            return new Delta(kept, internalTopics);
        }

        /** Divides everything by a number of transactions. */
        public PerTransaction perTransaction(long transactions) {
            if (transactions <= 0) {
                throw new IllegalArgumentException("transactions must be positive: " + transactions);
            }
            double n = transactions;
            Map<String, Double> records = new TreeMap<>();
            Map<String, Double> bytes = new TreeMap<>();
            topics.forEach((t, d) -> {
                records.put(t, d.records() / n);
                bytes.put(t, d.bytes() / n);
            });
            internalTopics.forEach((t, d) -> {
                records.put(t, d.records() / n);
                bytes.put(t, d.bytes() / n);
            });
            return new PerTransaction(transactions, records() / n, bytes() / n, internalRecords() / n,
                    internalBytes() / n, records, bytes);
        }
    }

    /**
     * A {@link Delta} per transaction.
     *
     * @param records         application records per transaction (internal topics excluded)
     * @param bytes           application log bytes per transaction (internal topics excluded)
     * @param recordsByTopic  per topic, internal ones included
     * @param bytesByTopic    per topic, internal ones included
     */
    public record PerTransaction(long transactions, double records, double bytes, double internalRecords,
                                 double internalBytes, Map<String, Double> recordsByTopic,
                                 Map<String, Double> bytesByTopic) {
        public PerTransaction {
            recordsByTopic = java.util.Collections.unmodifiableMap(new TreeMap<>(recordsByTopic));
            bytesByTopic = java.util.Collections.unmodifiableMap(new TreeMap<>(bytesByTopic));
        }

        public double totalRecords() {
            return records + internalRecords;
        }

        public double totalBytes() {
            return bytes + internalBytes;
        }
    }

    /** Whether a topic is one of the broker's own ({@code __consumer_offsets}, {@code __transaction_state}, ...). */
    public static boolean isInternal(String topic) {
        return topic.startsWith("__");
    }

    /**
     * Reads end offsets and log sizes of all topics, internal ones included. Topics deleted while this runs are
     * skipped rather than failing the snapshot.
     */
    public static Snapshot take(Admin admin) throws InterruptedException {
        try {
            Set<String> names = get(admin.listTopics(new ListTopicsOptions().listInternal(true)).names());
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            for (Map.Entry<String, KafkaFuture<TopicDescription>> e : admin.describeTopics(names).topicNameValues()
                    .entrySet()) {
                TopicDescription d = orNull(e.getValue());
                if (d != null) {
                    d.partitions().forEach(p -> specs.put(new TopicPartition(d.name(), p.partition()),
                            OffsetSpec.latest()));
                }
            }
            ListOffsetsResult offsets = admin.listOffsets(specs);
            Map<TopicPartition, Long> ends = new HashMap<>();
            for (TopicPartition tp : specs.keySet()) {
                ListOffsetsResult.ListOffsetsResultInfo info = orNull(offsets.partitionResult(tp));
                if (info != null) {
                    ends.put(tp, info.offset());
                }
            }
            Collection<Node> nodes = get(admin.describeCluster().nodes());
            List<Integer> ids = nodes.stream().map(Node::id).toList();
            Map<Integer, Map<String, LogDirDescription>> dirs = get(admin.describeLogDirs(ids).allDescriptions());
            return new Snapshot(ends, logBytesByTopic(dirs));
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read Kafka's offsets and log sizes: " + e.getMessage(), e);
        }
    }

    /** Sums replica sizes per topic over brokers and log directories; replicas being moved ("future") skipped. */
    static Map<String, Long> logBytesByTopic(Map<Integer, Map<String, LogDirDescription>> dirs) {
        Map<String, Long> bytes = new HashMap<>();
        for (Map<String, LogDirDescription> brokerDirs : dirs.values()) {
            for (LogDirDescription dir : brokerDirs.values()) {
                for (Map.Entry<TopicPartition, ReplicaInfo> r : dir.replicaInfos().entrySet()) {
                    if (!r.getValue().isFuture()) {
                        bytes.merge(r.getKey().topic(), r.getValue().size(), Long::sum);
                    }
                }
            }
        }
        return bytes;
    }

    /** What changed from {@code before} to {@code after}; see the class comment for what counts. */
    public static Delta between(Snapshot before, Snapshot after) {
        Map<String, long[]> perTopic = new HashMap<>();
        after.endOffsets().forEach((tp, end) -> {
            long start = before.endOffsets().getOrDefault(tp, 0L);
            perTopic.computeIfAbsent(tp.topic(), t -> new long[2])[0] += end - start;
        });
        after.logBytesByTopic().forEach((topic, size) -> {
            long[] d = perTopic.get(topic); // null: the topic is gone, its log merely not yet removed from disk
            if (d != null) {
                d[1] += size - before.logBytesByTopic().getOrDefault(topic, 0L);
            }
        });
        Map<String, TopicDelta> topics = new TreeMap<>();
        Map<String, TopicDelta> internal = new TreeMap<>();
        perTopic.forEach((topic, d) -> {
            if (d[0] != 0 || d[1] != 0) {
                (isInternal(topic) ? internal : topics).put(topic, new TopicDelta(d[0], d[1]));
            }
        });
        return new Delta(topics, internal);
    }

    private static <T> T get(KafkaFuture<T> f) throws InterruptedException, ExecutionException, TimeoutException {
        return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** The value, or null if this one topic or partition failed (typically: deleted meanwhile). */
    private static <T> T orNull(KafkaFuture<T> f) throws InterruptedException, TimeoutException {
        try {
            return get(f);
        } catch (ExecutionException e) {
            return null;
        }
    }
}
