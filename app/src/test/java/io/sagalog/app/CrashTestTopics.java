package io.sagalog.app;

import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.StepRequest;
import io.sagalog.schemas.avro.StepResult;
import io.sagalog.schemas.avro.TxRequested;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What is in the control log and the participants' topics, read back after the run (uncommitted records
 * included), so a failure can tell the engine sending a request twice from a participant receiving it twice.
 */
final class CrashTestTopics {

    /** One record, as a line a person can read, with where it is and when it was written. */
    record Line(String txId, String topic, int partition, long offset, long timestamp, String what, String kind,
                String phase, String step, int attempt) {
        @Override
        public String toString() {
            return Instant.ofEpochMilli(timestamp) + " " + topic + "-" + partition + "@" + offset + " " + what;
        }
    }

    private final Map<String, List<Line>> byTx = new HashMap<>();
    private final Map<String, Integer> stepRequestCopies = new HashMap<>();

    static CrashTestTopics read(String bootstrap, List<String> participants, Set<String> txIds) {
        CrashTestTopics dump = new CrashTestTopics();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<String> topics = new ArrayList<>();
            topics.add(Topics.CONTROL.name());
            participants.forEach(name -> topics.add(Topics.steps(name).name()));
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && txIds.contains(r.key()) && r.value() != null) {
                        dump.add(r);
                    }
                }
            }
        }
        return dump;
    }

    private void add(ConsumerRecord<String, byte[]> r) {
        String what;
        String kind = "other";
        String phase = null;
        String step = null;
        int attempt = 0;
        try {
            if (r.topic().equals(Topics.CONTROL.name())) {
                ControlRecord c = Topics.CONTROL.serde().decode(r.value());
                if (c.getBody() instanceof TxRequested) {
                    what = "TxRequested";
                } else if (c.getBody() instanceof StepResult s) {
                    what = "StepResult " + s.getPhase() + " " + s.getStep() + " #" + s.getAttempt() + " " + s.getOutcome();
                    kind = "result";
                    phase = s.getPhase().name();
                    step = s.getStep();
                    attempt = s.getAttempt();
                } else {
                    what = String.valueOf(c.getBody());
                }
            } else {
                StepRequest s = Topics.steps("x").serde().decode(r.value());
                what = "StepRequest " + s.getPhase() + " " + s.getStep() + " #" + s.getAttempt();
                stepRequestCopies.merge(s.getTxId() + ":" + s.getStep() + ":" + s.getPhase() + ":" + s.getAttempt(), 1,
                        Integer::sum);
                kind = "request";
                phase = s.getPhase().name();
                step = s.getStep();
                attempt = s.getAttempt();
            }
        } catch (RuntimeException e) {
            what = "unreadable: " + e.getMessage();
        }
        byTx.computeIfAbsent(r.key(), k -> new ArrayList<>())
                .add(new Line(r.key(), r.topic(), r.partition(), r.offset(), r.timestamp(), what, kind, phase, step, attempt));
    }

    /** Step requests (same transaction, step, phase, attempt) written more than once, counted beyond the first. */
    int repeatedStepRequests() {
        return stepRequestCopies.values().stream().mapToInt(n -> n - 1).sum();
    }

    List<Line> of(String txId) {
        List<Line> lines = new ArrayList<>(byTx.getOrDefault(txId, List.of()));
        lines.sort(java.util.Comparator.comparingLong(Line::timestamp).thenComparing(Line::topic).thenComparingLong(Line::offset));
        return lines;
    }
}
