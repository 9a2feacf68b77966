package io.sagalog.ingest;

import io.sagalog.http.ControlLog;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.ControlRecord;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control log on Kafka: an idempotent producer with {@code acks=all}. {@code send} can block (waiting for
 * metadata or buffer space), so it runs on a thread of its own, never on a Vert.x event loop.
 *
 * <p>Bounded, so a broker that is down costs neither time nor memory: at most {@code maxInFlight} appends wait for
 * Kafka (more fail at once with {@link NotRecordedException}); {@code send} blocks at most
 * {@link #maxBlock}; and after a send could not get the topic's metadata, appends queued behind it fail at once for
 * {@link #UNREACHABLE_BACKOFF} instead of blocking one after the other. Appends return a {@link PendingAppend}: a
 * failure before the record was handed to the producer is a {@link NotRecordedException}; any later one leaves the
 * outcome unknown.
 *
 * <p>When Kafka has acknowledged nothing for half the delivery timeout while appends wait for it (the broker went
 * away after the producer knew it), those appends fail at once as unknown outcome ({@link KafkaStalledException}),
 * and new ones fail at once as not recorded, except one a second that probes whether Kafka is back.
 */
public final class KafkaControlLog implements ControlLog {
    private static final Logger log = LoggerFactory.getLogger(KafkaControlLog.class);
    public static final int DEFAULT_MAX_IN_FLIGHT = 1024;
    /** How long appends fail fast after a send found Kafka unreachable, before one tries again. */
    static final long UNREACHABLE_BACKOFF_NANOS = Duration.ofSeconds(1).toNanos();
    private static final String UNREACHABLE_BACKOFF = "1 s";

    private final KafkaProducer<String, ControlRecord> producer;
    private final Semaphore inFlight;
    private final int maxInFlight;
    private final Duration maxBlock;
    /** Since when Kafka is known not to answer (System.nanoTime), or 0. */
    private volatile long unreachableSince;
    /** When the last probe append was let through while unreachable. */
    private final java.util.concurrent.atomic.AtomicLong lastProbe = new java.util.concurrent.atomic.AtomicLong();
    private volatile long lastAck = System.nanoTime();
    private final long stallNanos;
    private final java.util.Set<PendingAppend> sent = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.ScheduledExecutorService stallCheck =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sagalog-ingest-stall-check");
                t.setDaemon(true);
                return t;
            });
    /** The control topic's name. */
    private final String control;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sagalog-ingest-sender");
        t.setDaemon(true);
        return t;
    });

    /** @param deliveryTimeout how long to try before answering 503 when Kafka is unreachable */
    public KafkaControlLog(String bootstrapServers, Duration deliveryTimeout) {
        this(bootstrapServers, deliveryTimeout, DEFAULT_MAX_IN_FLIGHT);
    }

    /**
     * @param deliveryTimeout how long to try before giving up on one append
     * @param maxInFlight appends waiting for Kafka at most; beyond it {@link #append} fails at once
     */
    public KafkaControlLog(String bootstrapServers, Duration deliveryTimeout, int maxInFlight) {
        this(io.sagalog.schemas.KafkaClients.of(bootstrapServers), io.sagalog.schemas.TopicNames.DEFAULT, deliveryTimeout, maxInFlight);
    }

    /**
     * @param kafka the cluster and the client settings (security) the producer uses
     * @param topics the deployment's topic names (--topic-prefix)
     */
    public KafkaControlLog(io.sagalog.schemas.KafkaClients kafka, io.sagalog.schemas.TopicNames topics, Duration deliveryTimeout, int maxInFlight) {
        this.control = topics.control().name();
        Properties p = kafka.properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        int timeout = (int) deliveryTimeout.toMillis();
        int requestTimeout = Math.max(1000, timeout / 2);
        this.maxBlock = Duration.ofMillis(Math.max(500, Math.min(2000, timeout / 4)));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(timeout, 1 + requestTimeout));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) maxBlock.toMillis());
        this.producer = new KafkaProducer<>(p, new StringSerializer(), Topics.CONTROL.serde().serializer());
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        this.stallNanos = Math.max(Duration.ofMillis(500).toNanos(), deliveryTimeout.toNanos() / 2);
        stallCheck.scheduleWithFixedDelay(this::checkStalled, 250, 250, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Fails the appends Kafka left without an answer for {@link #stallNanos} while it acknowledged nothing. */
    private void checkStalled() {
        long now = System.nanoTime();
        if (sent.isEmpty() || now - lastAck < stallNanos) {
            return;
        }
        int failed = 0;
        for (PendingAppend p : sent) {
            if (now - p.handedOverAt >= stallNanos && p.completeExceptionally(new KafkaStalledException(
                    "Kafka acknowledged nothing for " + (now - lastAck) / 1_000_000 + " ms"))) {
                failed++;
            }
        }
        if (failed > 0) {
            if (unreachableSince == 0) {
                log.warn("Kafka acknowledged nothing for {} ms: {} waiting submits answered as outcome unknown; new "
                        + "submits fail at once until Kafka answers again", (now - lastAck) / 1_000_000, failed);
            }
            unreachableSince = now;
        }
    }

    /** True within a second of the latest failure while nothing was acknowledged since (drains a queue at once). */
    private boolean failedLately() {
        long since = unreachableSince;
        return since != 0 && lastAck - since <= 0 && System.nanoTime() - since < UNREACHABLE_BACKOFF_NANOS;
    }

    /**
     * True while Kafka is known not to answer: for a second after each failure, then all but one probe append a second.
     */
    private boolean refuseNow() {
        long since = unreachableSince;
        if (since == 0) {
            return false;
        }
        if (lastAck - since > 0) {
            unreachableSince = 0;
            return false;
        }
        long now = System.nanoTime();
        if (now - since < UNREACHABLE_BACKOFF_NANOS) {
            return true; // within a second of the latest failure (appends queued behind a blocked send drain here)
        }
        long probe = lastProbe.get();
        return !(now - probe >= UNREACHABLE_BACKOFF_NANOS && lastProbe.compareAndSet(probe, now));
    }

    @Override
    public CompletionStage<Void> append(ControlRecord record) {
        return append(record, null);
    }

    @Override
    public CompletionStage<Void> append(ControlRecord record, io.sagalog.tracing.TraceParent trace) {
        PendingAppend acked = new PendingAppend();
        if (!inFlight.tryAcquire()) {
            acked.completeExceptionally(new NotRecordedException(maxInFlight + " requests are already waiting for Kafka"));
            return acked;
        }
        if (refuseNow()) {
            acked.completeExceptionally(new NotRecordedException("Kafka is not answering"));
            inFlight.release();
            return acked;
        }
        acked.whenComplete((ok, error) -> {
            inFlight.release();
            sent.remove(acked);
        });
        try {
            sender.execute(() -> send(record, trace, acked));
        } catch (RuntimeException e) { // shut down
            acked.completeExceptionally(new NotRecordedException("the control log is closed", e));
        }
        return acked;
    }

    private void send(ControlRecord record, io.sagalog.tracing.TraceParent trace, PendingAppend acked) {
        if (failedLately() && acked.withdraw("Kafka is not answering: sends found it unreachable within the last "
                + UNREACHABLE_BACKOFF)) {
            return; // failed with NotRecordedException; the caller says nothing was recorded
        }
        if (!acked.handOver()) {
            return; // withdrawn by the caller: its deadline passed while this waited here
        }
        sent.add(acked);
        if (acked.isDone()) {
            sent.remove(acked);
        }
        Thread self = Thread.currentThread();
        try {
            producer.send(new ProducerRecord<>(control, null, record.getTxId(), record, trace == null ? null : trace.asHeaders()),
                    (meta, error) -> {
                if (error == null) {
                    lastAck = System.nanoTime();
                    acked.complete(null);
                } else if (Thread.currentThread() == self) {
                    // Reported by send itself, before the record joined a batch (no metadata within max.block.ms,
                    // no buffer space): nothing left this process.
                    notTaken(acked, error);
                } else {
                    acked.completeExceptionally(error);
                }
            });
        } catch (RuntimeException e) {
            notTaken(acked, e);
        }
    }

    private void notTaken(PendingAppend acked, Throwable e) {
        if (e instanceof org.apache.kafka.common.errors.TimeoutException) {
            if (unreachableSince == 0) {
                log.warn("Kafka is unreachable (no metadata for {} within {} ms); submits fail at once but one a second",
                        control, maxBlock.toMillis());
            }
            unreachableSince = System.nanoTime();
        }
        acked.completeExceptionally(new NotRecordedException("Kafka did not take the record: " + e.getMessage(), e));
    }

    /** Appends waiting for Kafka now. */
    public int inFlight() {
        return maxInFlight - inFlight.availablePermits();
    }

    /** The producer, for Micrometer's Kafka client binder only (metrics); appends go through {@link #append}. */
    public org.apache.kafka.clients.producer.Producer<String, ControlRecord> producer() {
        return producer;
    }

    @Override
    public void close() {
        stallCheck.shutdownNow();
        sender.shutdown();
        producer.close(Duration.ofSeconds(5));
    }
}
