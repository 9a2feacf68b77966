package io.sagalog.bench;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The most the broker takes from one durable producer on this machine: idempotent, {@code acks=all},
 * {@code linger.ms=5}, keyed records of a given size sent as fast as the producer accepts them (its buffer is the
 * only back-pressure). Every Sagalog transaction is several durable appends, so this is the ceiling every
 * configuration is bounded by; a saga rate is best read as a fraction of it.
 */
public final class ProducerBaseline {
    static final int PARTITIONS = 6;

    private ProducerBaseline() {
    }

    /**
     * Creates a topic of its own (6 partitions, replication 1), produces through warmup and the measured window,
     * and deletes the topic. Counts acknowledged records in the window.
     */
    public static BaselineResult run(String bootstrapServers, int recordBytes, Duration warmup, Duration measure,
                                     ProgressListener progress) throws InterruptedException {
        String topic = "bench-baseline-producer-" + BaselineSupport.uniqueSuffix();
        try (Admin admin = BaselineSupport.admin(bootstrapServers)) {
            BaselineSupport.createTopics(admin, bootstrapServers, List.of(topic), PARTITIONS);
            try {
                return produce(bootstrapServers, topic, recordBytes, warmup, measure, progress);
            } finally {
                BaselineSupport.deleteTopics(admin, List.of(topic));
            }
        }
    }

    private static BaselineResult produce(String bootstrapServers, String topic, int recordBytes, Duration warmup,
                                          Duration measure, ProgressListener progress) throws InterruptedException {
        AtomicLong sent = new AtomicLong();
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        AtomicBoolean running = new AtomicBoolean(true);
        byte[] value = BaselineSupport.payload(recordBytes);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(durableProducer(bootstrapServers,
                "bench-baseline-producer", 5), new ByteArraySerializer(), new ByteArraySerializer())) {
            Thread sender = new Thread(() -> {
                long seq = 0;
                while (running.get()) {
                    try {
                        producer.send(new ProducerRecord<>(topic, BaselineSupport.longKey(seq++), value), (m, e) -> {
                            if (e == null) {
                                acked.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                                firstError.compareAndSet(null, e.toString());
                            }
                        });
                        sent.incrementAndGet();
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, e.toString());
                    }
                }
            }, "bench-baseline-producer-sender");
            sender.setDaemon(true);
            sender.start();
            BaselineSupport.Counted window;
            try {
                window = BaselineSupport.countWindow(acked::get, failed::get, () -> sent.get() - acked.get()
                        - failed.get(), warmup, measure, progress);
            } finally {
                running.set(false);
                sender.join(30_000);
                producer.close(Duration.ofSeconds(10)); // what is still buffered is not part of the result
            }
            double perSecond = window.perSecond();
            String notes = String.format(Locale.ROOT, "idempotent, acks=all, linger.ms=5, %d partitions, keyed, "
                    + "%d B values, no compression; acknowledged records over %.1f s", PARTITIONS, recordBytes,
                    window.seconds())
                    + (window.failed() > 0 ? "; " + window.failed() + " failed, first: " + firstError.get() : "");
            return new BaselineResult("producer acks=all " + recordBytes + " B", perSecond, "records/s", null, null,
                    perSecond * recordBytes / 1e6, notes);
        }
    }

    /** The producer settings the baselines share: durable and idempotent, like Sagalog's own producers. */
    static Properties durableProducer(String bootstrapServers, String clientId, int lingerMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-" + BaselineSupport.uniqueSuffix());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        return p;
    }
}
