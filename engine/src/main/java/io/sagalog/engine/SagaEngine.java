package io.sagalog.engine;

import io.sagalog.engine.internal.SagaTopology;
import io.sagalog.engine.internal.StoreQueries;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running engine instance: the Kafka Streams application over the control log, and its queries. */
public final class SagaEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SagaEngine.class);

    private final KafkaStreams streams;
    private volatile int configuredThreads = 1;
    private final TransactionQueries queries;
    private final DeliveryDelays deliveryDelays;
    private final CountDownLatch running = new CountDownLatch(1);
    private final RestoreProgress restore = new RestoreProgress();
    /** Owned by the engine once started: closed when it stops. */
    private io.sagalog.engine.trace.SpanSink spans = io.sagalog.engine.trace.SpanSink.NONE;
    private final GroupChanges group = new GroupChanges();
    private final java.util.concurrent.atomic.AtomicLong threadReplacements = new java.util.concurrent.atomic.AtomicLong();

    private SagaEngine(KafkaStreams streams, java.util.function.Supplier<DefinitionCatalog> definitions,
                       TransactionQueries.Endpoint self, DeliveryDelays deliveryDelays) {
        this.streams = streams;
        this.queries = new StoreQueries(streams, definitions, self);
        this.deliveryDelays = deliveryDelays;
    }

    /** Starts the engine over fixed definitions; it serves once {@link #awaitRunning} returns true. */
    public static SagaEngine start(EngineConfig config, DefinitionCatalog definitions) {
        return start(config, Registrations.fixed(definitions), DecisionObserver.NONE);
    }

    /**
     * Starts an engine that follows a registry: new definitions and participants apply without a restart.
     *
     * @param observer told of every decision on the stream thread (metrics); must not block
     */
    public static SagaEngine start(EngineConfig config, Registrations registrations, DecisionObserver observer) {
        return start(config, registrations, observer, io.sagalog.engine.trace.SpanSink.NONE);
    }

    /** @param spans gets the transaction and attempt spans as decisions finish them; must not block; closed with the engine */
    public static SagaEngine start(EngineConfig config, Registrations registrations, DecisionObserver observer,
                                   io.sagalog.engine.trace.SpanSink spans) {
        Properties properties = properties(config);
        java.util.function.Supplier<DefinitionCatalog> definitions = registrations::definitions;
        DeliveryDelays delays = new DeliveryDelays(definitions);
        DecisionObserver both = (before, input, decision, now) -> {
            delays.decided(before, input, decision, now);
            observer.decided(before, input, decision, now);
        };
        KafkaStreams streams = new KafkaStreams(SagaTopology.build(registrations, both, config.topics(),
                config.retention(), spans), properties);
        SagaEngine engine = new SagaEngine(streams, definitions, advertised(config), delays);
        engine.spans = spans;
        engine.configuredThreads = Integer.parseInt(String.valueOf(properties.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG)));
        streams.setGlobalStateRestoreListener(engine.restore);
        // A stream thread that dies is replaced, not left dead: the others go on, and the new one takes its tasks.
        streams.setUncaughtExceptionHandler(error -> {
            log.error("an engine stream thread failed; replacing it", error);
            engine.threadReplacements.incrementAndGet();
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                    .REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> {
            log.info("engine {} -> {}", before, now);
            if (now == KafkaStreams.State.RUNNING) {
                engine.running.countDown();
                engine.group.rebalanced(streams);
            }
        });
        streams.start();
        return engine;
    }

    /** This instance's query address: {@code application.server} if set, else unknown (port -1). */
    private static TransactionQueries.Endpoint advertised(EngineConfig config) {
        Object server = config.overrides().get(StreamsConfig.APPLICATION_SERVER_CONFIG);
        if (server == null) {
            return new TransactionQueries.Endpoint("unknown", -1);
        }
        String text = server.toString();
        int colon = text.lastIndexOf(':');
        return new TransactionQueries.Endpoint(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    }

    static Properties properties(EngineConfig config) {
        // The operator's client settings (security, rack) first: unprefixed, Streams hands them to all its clients.
        Properties p = config.kafka().properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.processingGuarantee());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
        // No single record may stop a partition: one that cannot be decoded, processed or sent is logged and skipped
        // (the processor itself parks a transaction whose decision fails; these are the nets below it).
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler.class);
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
                io.sagalog.engine.internal.SkipUnsendableRecords.class);
        // A state (input plus outputs) may be larger than a step request; room for it in the changelogs.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), SagaTopology.MAX_STATE_RECORD_BYTES);
        // Step requests and journal records should leave at once: latency matters more than batching here.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 1);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 100);
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, io.sagalog.engine.internal.StoreTuning.class);
        // The store cache folds a transaction's rewrites of one commit interval into one changelog record; at
        // Streams' default of 10 MB it fills with finished transactions under load and starts evicting (and so
        // writing) entries of transactions still in flight: 4 tx-history records per transaction instead of 1.
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 64L * 1024 * 1024);
        if (config.instanceId() != null) {
            p.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), config.instanceId());
        }
        // A dead instance's tasks move after 10 s instead of Kafka's 45 s default (GroupMembership says why).
        GroupMembership.applyTimeouts(p, StreamsConfig.CONSUMER_PREFIX);
        p.putAll(config.overrides());
        return p;
    }

    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Waits for the engine to run. Restoring large stores can take minutes, so it waits as long as the restore moves,
     * and gives up when the engine failed, or when nothing moved for two minutes.
     */
    public void awaitStarted() throws InterruptedException {
        long stalledSince = System.nanoTime();
        long lastRestored = -1;
        while (!awaitRunning(Duration.ofSeconds(5))) {
            KafkaStreams.State state = state();
            if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                    || state == KafkaStreams.State.NOT_RUNNING || state == KafkaStreams.State.PENDING_SHUTDOWN) {
                throw new IllegalStateException("the engine stopped while starting (state " + state + "); see the log above");
            }
            long restored = restoredRecords();
            if (restored != lastRestored) {
                lastRestored = restored;
                stalledSince = System.nanoTime();
            } else if (System.nanoTime() - stalledSince > Duration.ofSeconds(120).toNanos()) {
                throw new IllegalStateException("the engine did not reach RUNNING and restored nothing for 120 s (state "
                        + state + ", " + restored + " records restored); is the broker reachable?");
            }
        }
    }

    /** How long step requests of each participant recently waited before delivery; for admission and metrics. */
    public DeliveryDelays deliveryDelays() {
        return deliveryDelays;
    }

    /** The sizes of tx-state, tx-history, tx-index and tx-expiry on this instance (RocksDB's estimates). */
    public java.util.List<StoreSize> storeSizes() {
        return StoreSize.of(streams.metrics());
    }

    /**
     * Records of its input the engine has not read yet: the sum of its main consumer's {@code records-lag} over the
     * partitions it has (not the restore consumer's: restoring stores is not a backlog of requests). NaN values (not
     * measured yet) count 0. For metrics and for admission at ingest.
     */
    public long consumerLag() {
        double lag = 0;
        for (var e : streams.metrics().entrySet()) {
            if (e.getKey().name().equals("records-lag") && e.getKey().tags().containsKey("partition")
                    && !e.getKey().group().contains("restore")
                    && !e.getKey().tags().getOrDefault("client-id", "").contains("restore-consumer")
                    && e.getValue().metricValue() instanceof Number n && !Double.isNaN(n.doubleValue())) {
                lag += n.doubleValue();
            }
        }
        return (long) lag;
    }

    /** Kafka Streams' own metrics (consumer lag among them). */
    public java.util.Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> kafkaMetrics() {
        return streams.metrics();
    }

    /** The Kafka Streams instance, for Micrometer's Kafka Streams binder only (metrics). */
    public KafkaStreams kafkaStreams() {
        return streams;
    }

    /** Changelog records restored into the local stores since start. */
    public long restoredRecords() {
        return restore.restored.sum();
    }

    /**
     * Counts what the stores restore from their changelogs, and logs it every few seconds: after an unclean stop
     * under exactly_once_v2, or on a new machine, a restore can take minutes, and an operator must see it move. Each
     * finished restore is one INFO line with its records and where it started: from offset 0 is a full restore (no
     * local state, no standby), anything else caught up from a checkpoint (a standby's or this instance's own), which
     * is what a fail-over with a standby replica should show (docs/operations.md, "Faults and fail-over: measured").
     */
    private static final class RestoreProgress implements org.apache.kafka.streams.processor.StateRestoreListener {
        private static final long EVERY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        final java.util.concurrent.atomic.LongAdder restored = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder total = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.AtomicLong lastLog = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
        /** Starting offset and start time of each running restore, by store and partition. */
        private final java.util.Map<String, long[]> started = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void onRestoreStart(org.apache.kafka.common.TopicPartition partition, String store, long startingOffset,
                                   long endingOffset) {
            total.add(Math.max(0, endingOffset - startingOffset));
            started.put(store + "@" + partition, new long[] {startingOffset, System.nanoTime()});
        }

        @Override
        public void onBatchRestored(org.apache.kafka.common.TopicPartition partition, String store, long batchEndOffset,
                                    long numRestored) {
            restored.add(numRestored);
            long now = System.nanoTime();
            long last = lastLog.get();
            if (now - last > EVERY_NANOS && lastLog.compareAndSet(last, now)) {
                log.info("restoring the stores from their changelogs: {} of {} records", restored.sum(), total.sum());
            }
        }

        @Override
        public void onRestoreEnd(org.apache.kafka.common.TopicPartition partition, String store, long totalRestored) {
            long[] start = started.remove(store + "@" + partition);
            long from = start == null ? -1 : start[0];
            long millis = start == null ? -1 : (System.nanoTime() - start[1]) / 1_000_000;
            // Most stores of a start have nothing to restore: those lines only at DEBUG, the ones with records at INFO.
            String line = "restored {} records into {} ({}) in {} ms from offset {}: {}";
            Object[] args = {totalRestored, store, partition, millis, from,
                    from == 0 && totalRestored > 0 ? "full restore" : "caught up from a checkpoint"};
            log.atLevel(totalRestored > 0 ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.DEBUG).log(line, args);
        }
    }

    /** Stream threads alive (neither DEAD nor shutting down) against those configured. */
    public record StreamThreads(int alive, int configured) {
        public boolean allAlive() {
            return alive >= configured;
        }

        @Override
        public String toString() {
            return alive + "/" + configured + " alive";
        }
    }

    /** How many of the engine's stream threads are alive: a thread that died shows here while the state may not. */
    public StreamThreads streamThreads() {
        int alive = 0;
        for (org.apache.kafka.streams.ThreadMetadata t : streams.metadataForLocalThreads()) {
            String state = t.threadState();
            if (!state.equals("DEAD") && !state.equals("PENDING_SHUTDOWN")) {
                alive++;
            }
        }
        return new StreamThreads(alive, configuredThreads);
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Stream threads that failed and were replaced since start. */
    public long threadReplacements() {
        return threadReplacements.get();
    }

    /** Stream threads of this instance that are alive (not DEAD or PENDING_SHUTDOWN), for health checks. */
    public long liveStreamThreads() {
        return streams.metadataForLocalThreads().stream()
                .filter(t -> !t.threadState().equals("DEAD") && !t.threadState().equals("PENDING_SHUTDOWN")).count();
    }

    public TransactionQueries queries() {
        return queries;
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        spans.close(); // after the last decision: what it finished is still sent
    }
}
