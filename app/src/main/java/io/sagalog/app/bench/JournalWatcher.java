package io.sagalog.app.bench;

import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.JournalEvent;
import io.sagalog.schemas.avro.JournalRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Learns when transactions end by reading the journal, as a client that does not poll would. A future per
 * transaction completes with its final status (COMPLETED, ROLLED_BACK, PARKED) and the time it was seen.
 */
final class JournalWatcher implements AutoCloseable {
    /** A final status and the nanoTime it was observed at. */
    record Ending(String status, long seenNanos) {}

    private final Map<String, CompletableFuture<Ending>> waiting = new ConcurrentHashMap<>();
    private final Map<String, Ending> early = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    JournalWatcher(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOURNAL.name()).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end now, before any transaction starts
        thread = new Thread(this::loop, "bench-journal-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    CompletableFuture<Ending> ending(String txId) {
        CompletableFuture<Ending> f = waiting.computeIfAbsent(txId, id -> new CompletableFuture<>());
        Ending seen = early.remove(txId);
        if (seen != null) {
            f.complete(seen);
        }
        return f;
    }

    void forget(String txId) {
        waiting.remove(txId);
    }

    private void loop() {
        while (running.get()) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                JournalRecord record = Topics.JOURNAL.serde().decode(r.value());
                for (JournalEvent e : record.getEvents()) {
                    String type = e.getType();
                    if (type.equals("TxCompleted") || type.equals("TxRolledBack") || type.equals("TxParked")) {
                        Ending ending = new Ending(e.getStatus(), System.nanoTime());
                        CompletableFuture<Ending> f = waiting.get(record.getTxId());
                        if (f != null) {
                            f.complete(ending);
                        } else {
                            early.put(record.getTxId(), ending);
                        }
                    }
                }
            }
        }
        consumer.close();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(5_000);
    }
}
