package io.sagalog.bench;

import io.sagalog.schemas.Topic;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.StepRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What {@code sagalog bench-recovery} reads from the broker and the engine's data directory around a kill. */
final class RecoveryProbes {
    private RecoveryProbes() {}

    /** Reads a participant's step topic (committed records only) until every transaction has a request there. */
    static void awaitDispatched(String bootstrap, String participant, Set<String> ids, Duration timeout) {
        Topic<StepRequest> steps = Topics.steps(participant);
        Set<String> seen = new java.util.HashSet<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap)) {
            List<TopicPartition> partitions = consumer.partitionsFor(steps.name()).stream()
                    .map(i -> new TopicPartition(steps.name(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!seen.containsAll(ids)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + seen.size() + " of " + ids.size() + " first steps dispatched");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    StepRequest request = steps.serde().decode(r.value());
                    seen.add(request.getTxId());
                }
            }
        }
    }

    /**
     * Waits until the group committed the end of the topic. {@code slack} 1 allows for a transaction marker after the
     * last record, which a consumer need not have stepped over (the engine writes step topics in transactions under
     * exactly_once_v2).
     */
    static void awaitGroupAtEnd(Admin admin, String group, String topic, int slack, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                    .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            boolean atEnd = end.entrySet().stream().allMatch(e -> {
                OffsetAndMetadata c = committed.get(e.getKey());
                return e.getValue() == 0 || (c != null && c.offset() >= e.getValue() - slack);
            });
            if (atEnd) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("group " + group + " did not reach the end of " + topic + ": " + committed
                        + " vs " + end);
            }
            Thread.sleep(100);
        }
    }

    static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** End offsets of the engine's changelog topics: what a full restore has to read. */
    static String changelogSizes(Admin admin, String applicationId) throws Exception {
        List<String> topics = admin.listTopics().names().get().stream().filter(n -> n.startsWith(applicationId + "-")
                && n.endsWith("-changelog")).sorted().toList();
        Map<String, Long> sizes = new TreeMap<>();
        for (var d : admin.describeTopics(topics).allTopicNames().get().values()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
            long sum = admin.listOffsets(latest).all().get().values().stream().mapToLong(i -> i.offset()).sum();
            sizes.put(d.name().substring(applicationId.length() + 1), sum);
        }
        return sizes.toString();
    }

    /** What the restarted engine logged about corrupted or wiped local state, if anything. */
    static String wipeEvidence(Path log) throws Exception {
        List<String> lines = Files.readAllLines(log);
        int restart = lines.lastIndexOf("===== start #2 =====");
        List<String> hits = lines.subList(Math.max(0, restart), lines.size()).stream()
                .filter(l -> l.contains("TaskCorrupted") || l.contains("valid state") || l.contains("wip")
                        || l.contains("corrupt"))
                .toList();
        return hits.isEmpty() ? "no (nothing logged about corrupted state)"
                : "yes, " + hits.size() + " log lines, first: " + hits.get(0).substring(0, Math.min(300, hits.get(0).length()));
    }

    /** Which task directories have a .checkpoint file (without one, the store is restored from the changelog's start). */
    static String describeState(Path appDir) throws Exception {
        if (!Files.isDirectory(appDir)) {
            return "no state directory";
        }
        try (Stream<Path> tasks = Files.list(appDir)) {
            return tasks.filter(Files::isDirectory).sorted().map(t -> t.getFileName() + (Files.exists(t.resolve(".checkpoint"))
                    ? " has a .checkpoint" : " has no .checkpoint")).collect(Collectors.joining(", "));
        }
    }
}
