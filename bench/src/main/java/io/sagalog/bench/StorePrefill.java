package io.sagalog.bench;

import io.sagalog.engine.EngineStores;
import io.sagalog.engine.TxStatus;
import io.sagalog.ingest.TxIds;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Puts a million finished transactions into an engine's stores in a minute instead of the quarter of an hour it
 * would take to run them: it clones one real finished transaction.
 *
 * <p>An engine's stores are restored from their changelogs, and a changelog record holds exactly the bytes the store
 * holds. So once real transactions have run and the engine stopped cleanly, {@link #capture} reads its changelogs and
 * takes every entry of one COMPLETED transaction (its state, its history, its index entries: each key or value that
 * names its txId); {@link #write} appends copies of them with fresh txIds, time-ordered as ingest makes them and dated before now (a UUID is always 36 characters, so the
 * Avro length prefixes stay right) to the partition that owns the new txId, which is where the control log's
 * partitioner sends it. When the engine starts again it restores them like any other state, and its stores are then
 * as large as after a million real transactions. What the clones do not carry: the per-definition counts (they stay
 * at what really ran) and the journal and control-log records of the cloned transactions, which no part of the
 * engine reads once a transaction is final.
 */
final class StorePrefill {
    /** The stores whose changelogs hold a transaction: state, history and index. */
    static final List<String> STORES = EngineStores.TRANSACTION_STORES;

    /** One finished transaction's changelog entries, as they are on the wire. */
    record Template(String txId, List<Entry> entries) {}

    /** One changelog entry of the template. */
    record Entry(String topic, byte[] key, byte[] value) {}

    private StorePrefill() {}

    /**
     * Reads the engine's changelogs (the engine is stopped, so they are complete) and returns the entries of one
     * COMPLETED transaction; throws if none is there.
     */
    static Template capture(String servers, String applicationId) throws Exception {
        Map<String, Map<String, byte[]>> latest = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "bench-prefill-reader"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String store : STORES) {
                String topic = EngineStores.changelog(applicationId, store);
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                latest.put(topic, new HashMap<>());
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read the changelogs of " + applicationId + " within 60 s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String key = new String(r.key(), StandardCharsets.UTF_8);
                    if (r.value() == null) {
                        latest.get(r.topic()).remove(key);
                    } else {
                        latest.get(r.topic()).put(key, r.value());
                    }
                }
            }
        }
        String index = EngineStores.changelog(applicationId, EngineStores.TX_INDEX);
        String completed = EngineStores.statusKeyPrefix(TxStatus.COMPLETED);
        String txId = latest.get(index).keySet().stream().filter(k -> k.startsWith(completed)).sorted()
                .map(EngineStores::txIdOfStatusKey).findFirst()
                .orElseThrow(() -> new IllegalStateException("no COMPLETED transaction in " + index + " to clone"));
        List<Entry> entries = new ArrayList<>();
        latest.forEach((topic, byKey) -> byKey.forEach((key, value) -> {
            if (key.contains(txId)) {
                entries.add(new Entry(topic, key.getBytes(StandardCharsets.UTF_8), value));
            }
        }));
        for (String store : STORES) {
            String topic = EngineStores.changelog(applicationId, store);
            if (entries.stream().noneMatch(e -> e.topic().equals(topic))) {
                throw new IllegalStateException("transaction " + txId + " has no entry in " + topic);
            }
        }
        return new Template(txId, entries);
    }

    /**
     * Appends {@code count} clones of the template, each with a fresh txId (random but repeatable from the seed), to
     * the partition that owns the new txId; prints progress every few seconds.
     *
     * @param partitions partitions of the control log (and so of every changelog: one per task)
     * @return the bytes written, keys and values
     */
    static long write(String servers, Template template, long count, int partitions, long seed, PrintStream out)
            throws Exception {
        byte[] from = template.txId().getBytes(StandardCharsets.UTF_8);
        if (partitionOf(template.txId(), partitions) != partitionOfTemplate(template, servers, partitions)) {
            throw new IllegalStateException("the template's changelog partition is not the control log's partition "
                    + "of its txId; the clones would land on the wrong tasks");
        }
        Random random = new Random(seed);
        // The clones were made in the past, as if at 500 per second before now: txIds are time-ordered (TxIds), so
        // a store that grew over time holds old ids at the start of its key range and new ones at the end.
        long firstMillis = System.currentTimeMillis() - count * 2;
        long bytes = 0;
        long started = System.nanoTime();
        long nextReport = started + Duration.ofSeconds(5).toNanos();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ProducerConfig.CLIENT_ID_CONFIG, "bench-prefill",
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            Future<RecordMetadata> last = null;
            for (long i = 0; i < count; i++) {
                String txId = TxIds.timeOrdered(firstMillis + i * 2, random).toString();
                byte[] to = txId.getBytes(StandardCharsets.UTF_8);
                int partition = partitionOf(txId, partitions);
                for (Entry e : template.entries()) {
                    byte[] key = replaced(e.key(), from, to);
                    byte[] value = replaced(e.value(), from, to);
                    bytes += key.length + value.length;
                    last = producer.send(new ProducerRecord<>(e.topic(), partition, key, value));
                }
                if (System.nanoTime() > nextReport) {
                    out.printf(Locale.ROOT, "  prefill: %,d of %,d finished transactions written (%.0f MB)%n", i + 1,
                            count, bytes / 1e6);
                    nextReport = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                }
            }
            producer.flush();
            if (last != null) {
                last.get(); // surfaces a send failure
            }
        }
        out.printf(Locale.ROOT, "  prefill: %,d finished transactions written (%.0f MB, %d records each) in %.1f s%n",
                count, bytes / 1e6, template.entries().size(), (System.nanoTime() - started) / 1e9);
        return bytes;
    }

    /** The partition the control log's producer (default partitioner, String key) sends this txId to. */
    static int partitionOf(String txId, int partitions) {
        return Utils.toPositive(Utils.murmur2(txId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Where the template's tx-state entry is: the task that owned the real transaction. */
    private static int partitionOfTemplate(Template template, String servers, int partitions) throws Exception {
        String stateSuffix = EngineStores.changelog("", EngineStores.TX_STATE);
        String stateTopic = template.entries().stream().map(Entry::topic).filter(t -> t.endsWith(stateSuffix))
                .findFirst().orElseThrow();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "bench-prefill-check"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            byte[] key = template.txId().getBytes(StandardCharsets.UTF_8);
            for (int p = 0; p < partitions; p++) {
                TopicPartition tp = new TopicPartition(stateTopic, p);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long end = consumer.endOffsets(List.of(tp)).get(tp);
                while (consumer.position(tp) < end) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (Arrays.equals(r.key(), key)) {
                            return p;
                        }
                    }
                }
            }
        }
        throw new IllegalStateException("the template " + template.txId() + " is in no partition of " + stateTopic);
    }

    /** {@code bytes} with every occurrence of {@code from} replaced by {@code to}, which has the same length. */
    static byte[] replaced(byte[] bytes, byte[] from, byte[] to) {
        if (from.length != to.length) {
            throw new IllegalArgumentException("a txId clone must have the template's length (the same length keeps "
                    + "Avro's length prefixes right): " + from.length + " vs "
                    + to.length);
        }
        byte[] out = bytes.clone();
        outer:
        for (int i = 0; i + from.length <= out.length; i++) {
            for (int j = 0; j < from.length; j++) {
                if (out[i + j] != from[j]) {
                    continue outer;
                }
            }
            System.arraycopy(to, 0, out, i, to.length);
            i += from.length - 1;
        }
        return out;
    }
}
