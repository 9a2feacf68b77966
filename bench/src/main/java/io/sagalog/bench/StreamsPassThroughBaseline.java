package io.sagalog.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.BytesDeserializer;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The least work a Kafka Streams application with state can do per record on this machine: read, one RocksDB put
 * (persistent store, caching enabled as in the engine's stores, default cache size), forward to a sink topic,
 * with the given processing guarantee, a 100 ms commit interval and one stream thread. The saga engine is a
 * Streams application doing more than this per step, so this rate bounds it from above, and the ratio between the
 * two guarantees here is the part of Sagalog's exactly-once cost that comes from Kafka itself.
 *
 * <p>A producer feeds the source topic as fast as it can, but stays at most {@link #MAX_AHEAD} records ahead of
 * what reached the sink, so the backlog (and the disk it fills) stays bounded, the feeder does not compete with
 * Streams for CPU more than it must, and Streams never runs dry. Output
 * is counted by a {@code read_committed} consumer, so under exactly-once only committed records count.
 */
public final class StreamsPassThroughBaseline {
    /**
     * Most records the feeder may be ahead of the sink: many polls' worth, so Streams never waits for input, yet
     * small enough that once the backlog is there the feeder only keeps pace instead of taking CPU from Streams
     * on a small machine.
     */
    static final long MAX_AHEAD = 20_000;
    static final int PARTITIONS = 6;
    private static final String STORE = "passthrough-store";

    private StreamsPassThroughBaseline() {
    }

    /**
     * Creates its own source and sink topics and application id, runs through warmup and the measured window, and
     * removes topics (changelog included), consumer group and state directory.
     *
     * @param processingGuarantee {@code at_least_once} or {@code exactly_once_v2}
     */
    public static BaselineResult run(String bootstrapServers, String processingGuarantee, int recordBytes,
                                     Duration warmup, Duration measure, ProgressListener progress)
            throws InterruptedException {
        String appId = "bench-baseline-passthrough-" + processingGuarantee.replace('_', '-') + "-"
                + BaselineSupport.uniqueSuffix();
        String source = appId + "-in";
        String sink = appId + "-out";
        List<String> topics = List.of(source, sink, appId + "-" + STORE + "-changelog");
        Path stateDir;
        try {
            stateDir = Files.createTempDirectory("bench-passthrough");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (Admin admin = BaselineSupport.admin(bootstrapServers)) {
            BaselineSupport.createTopics(admin, bootstrapServers, List.of(source, sink), PARTITIONS);
            try {
                return measure(bootstrapServers, processingGuarantee, recordBytes, warmup, measure, progress, appId,
                        source, sink, stateDir);
            } finally {
                BaselineSupport.deleteTopics(admin, topics);
                try {
                    admin.deleteConsumerGroups(List.of(appId)).all().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                }
                BaselineSupport.deleteRecursively(stateDir);
            }
        }
    }

    /** The processor: one put, one forward. */
    static final class PutAndForward implements Processor<Bytes, byte[], Bytes, byte[]> {
        private ProcessorContext<Bytes, byte[]> context;
        private KeyValueStore<Bytes, byte[]> store;

        @Override
        public void init(ProcessorContext<Bytes, byte[]> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<Bytes, byte[]> record) {
            store.put(record.key(), record.value());
            context.forward(record);
        }
    }

    static Topology topology(String source, String sink) {
        Topology topology = new Topology();
        topology.addSource("source", new BytesDeserializer(), new ByteArrayDeserializer(), source);
        topology.addProcessor("put-and-forward", PutAndForward::new, "source");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.Bytes(),
                Serdes.ByteArray()).withCachingEnabled(), "put-and-forward");
        topology.addSink("sink", sink, new BytesSerializer(), new ByteArraySerializer(), "put-and-forward");
        return topology;
    }

    private static BaselineResult measure(String bootstrapServers, String guarantee, int recordBytes,
                                          Duration warmup, Duration measure, ProgressListener progress, String appId,
                                          String source, String sink, Path stateDir) throws InterruptedException {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        AtomicLong arrived = new AtomicLong();
        AtomicLong fed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch started = new CountDownLatch(1);
        KafkaStreams streams = new KafkaStreams(topology(source, sink), p);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                started.countDown();
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            firstError.compareAndSet(null, e.toString());
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                    .SHUTDOWN_CLIENT;
        });
        Thread counter = null;
        Thread feeder = null;
        try {
            streams.start();
            if (!started.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the pass-through Streams app did not start within 60 s");
            }
            counter = sinkCounter(bootstrapServers, sink, arrived, running);
            feeder = feeder(bootstrapServers, source, recordBytes, fed, arrived, failed, firstError, running);
            BaselineSupport.Counted window = BaselineSupport.countWindow(arrived::get, failed::get,
                    () -> fed.get() - arrived.get(), warmup, measure, progress);
            double perSecond = window.perSecond();
            String notes = String.format(Locale.ROOT, "Processor API, %s, one RocksDB put per record (caching on), "
                    + "commit.interval.ms=100, 1 stream thread, %d partitions, %d B values; fed at full speed up "
                    + "to %d records ahead; counted at the sink (read_committed) over %.1f s", guarantee, PARTITIONS,
                    recordBytes, MAX_AHEAD, window.seconds())
                    + (firstError.get() != null ? "; error: " + firstError.get() : "");
            return new BaselineResult("streams pass-through " + guarantee + " " + recordBytes + " B", perSecond,
                    "records/s", null, null, perSecond * recordBytes / 1e6, notes);
        } finally {
            running.set(false);
            if (feeder != null) {
                feeder.join(30_000);
            }
            if (counter != null) {
                counter.join(30_000);
            }
            streams.close(Duration.ofSeconds(30));
            streams.cleanUp();
        }
    }

    private static Thread feeder(String bootstrapServers, String source, int recordBytes, AtomicLong fed,
                                 AtomicLong arrived, AtomicLong failed, AtomicReference<String> firstError,
                                 AtomicBoolean running) {
        byte[] value = BaselineSupport.payload(recordBytes);
        Thread t = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(ProducerBaseline.durableProducer(
                    bootstrapServers, "bench-baseline-feeder", 5), new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                long seq = 0;
                while (running.get()) {
                    if (fed.get() - arrived.get() >= MAX_AHEAD) {
                        Ticker.system().sleepUntil(System.nanoTime() + 1_000_000);
                        continue;
                    }
                    try {
                        producer.send(new ProducerRecord<>(source, BaselineSupport.longKey(seq++), value), (m, e) -> {
                            if (e != null) {
                                failed.incrementAndGet();
                                firstError.compareAndSet(null, e.toString());
                            }
                        });
                        fed.incrementAndGet();
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, e.toString());
                    }
                }
                producer.close(Duration.ofSeconds(10));
            }
        }, "bench-baseline-feeder");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static Thread sinkCounter(String bootstrapServers, String sink, AtomicLong arrived, AtomicBoolean running) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-baseline-sink-counter-" + BaselineSupport.uniqueSuffix());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(sink).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Thread t = new Thread(() -> {
            try (consumer) {
                while (running.get()) {
                    arrived.addAndGet(consumer.poll(Duration.ofMillis(50)).count());
                }
            }
        }, "bench-baseline-sink-counter");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
