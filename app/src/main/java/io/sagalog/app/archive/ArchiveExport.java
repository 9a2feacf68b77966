package io.sagalog.app.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.schemas.KafkaClients;
import java.io.IOException;
import java.io.Writer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the archive topic between two times (the time each transaction was archived: the record's timestamp) and
 * writes the matching records, one JSON document a line. Reads each partition from the first record at or after
 * {@code from} (Kafka's time index, not a scan from the start) up to where it ended when the export began; nothing is
 * committed (no consumer group).
 */
public final class ArchiveExport {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Which records to export; null fields match everything. */
    public record Filter(Instant from, Instant to, String definition, String status) {
        boolean matches(long timestamp, JsonNode record) {
            return (from == null || timestamp >= from.toEpochMilli()) && (to == null || timestamp < to.toEpochMilli())
                    && (definition == null || definition.equals(record.path("definition").asText()))
                    && (status == null || status.equals(record.path("status").asText()));
        }
    }

    /** Told how far the export is, as records read of those to read. */
    @FunctionalInterface
    public interface Progress {
        void at(long read, long total, long written);
    }

    /** What an export did. */
    public record Result(long read, long written, long unreadable) {}

    private ArchiveExport() {}

    public static Result run(KafkaClients kafka, String topic, Filter filter, Writer out, Progress progress)
            throws IOException {
        Map<String, Object> config = new HashMap<>(Map.of("key.deserializer", StringDeserializer.class,
                "value.deserializer", StringDeserializer.class, "enable.auto.commit", false,
                "max.poll.records", 2_000));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(kafka.config(config))) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(30)).forEach(p -> partitions.add(
                    new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            Map<TopicPartition, Long> start = new HashMap<>(consumer.beginningOffsets(partitions, Duration.ofSeconds(30)));
            if (filter.from() != null) {
                Map<TopicPartition, Long> at = new HashMap<>();
                partitions.forEach(p -> at.put(p, filter.from().toEpochMilli()));
                consumer.offsetsForTimes(at, Duration.ofSeconds(30)).forEach((p, found) -> start.put(p,
                        found == null ? end.get(p) : Math.max(start.get(p), ((OffsetAndTimestamp) found).offset())));
            }
            long total = 0;
            for (TopicPartition p : partitions) {
                consumer.seek(p, start.get(p));
                total += Math.max(0, end.get(p) - start.get(p));
            }
            long read = 0;
            long written = 0;
            long unreadable = 0;
            List<TopicPartition> open = new ArrayList<>(partitions);
            open.removeIf(p -> start.get(p) >= end.get(p));
            consumer.assign(open);
            progress.at(0, total, 0);
            while (!open.isEmpty()) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition p = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() >= end.get(p)) {
                        continue; // archived after the export began
                    }
                    read++;
                    JsonNode record;
                    try {
                        record = r.value() == null ? null : JSON.readTree(r.value());
                    } catch (IOException e) {
                        record = null;
                    }
                    if (record == null) {
                        unreadable++;
                    } else if (filter.matches(r.timestamp(), record)) {
                        out.write(r.value());
                        out.write('\n');
                        written++;
                    }
                }
                List<TopicPartition> done = new ArrayList<>();
                for (TopicPartition p : open) {
                    if (consumer.position(p) >= end.get(p)) {
                        done.add(p);
                    }
                }
                if (!done.isEmpty()) {
                    open.removeAll(done);
                    consumer.assign(open);
                }
                progress.at(read, total, written);
            }
            out.flush();
            return new Result(read, written, unreadable);
        }
    }
}
