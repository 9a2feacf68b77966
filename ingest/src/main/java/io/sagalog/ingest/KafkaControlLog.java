package io.sagalog.ingest;

import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.ControlRecord;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The control log on Kafka: an idempotent producer with {@code acks=all}. {@code send} can block (waiting for
 * metadata or buffer space), so it runs on a thread of its own, never on a Vert.x event loop.
 */
public final class KafkaControlLog implements ControlLog {
    private final KafkaProducer<String, ControlRecord> producer;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sagalog-ingest-sender");
        t.setDaemon(true);
        return t;
    });

    /** @param deliveryTimeout how long to try before answering 503 when Kafka is unreachable */
    public KafkaControlLog(String bootstrapServers, Duration deliveryTimeout) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        int timeout = (int) deliveryTimeout.toMillis();
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1000, timeout / 2));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(timeout, 1000 + Math.max(1000, timeout / 2)));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), Topics.CONTROL.serde().serializer());
    }

    @Override
    public CompletionStage<Void> append(ControlRecord record) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        sender.execute(() -> {
            try {
                producer.send(new ProducerRecord<>(Topics.CONTROL.name(), record.getTxId(), record), (meta, error) -> {
                    if (error == null) {
                        acked.complete(null);
                    } else {
                        acked.completeExceptionally(error);
                    }
                });
            } catch (RuntimeException e) {
                acked.completeExceptionally(e);
            }
        });
        return acked;
    }

    @Override
    public void close() {
        sender.shutdown();
        producer.close(Duration.ofSeconds(5));
    }
}
