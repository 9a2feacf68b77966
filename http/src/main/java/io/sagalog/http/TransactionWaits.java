package io.sagalog.http;

import io.sagalog.engine.TxStatus;
import io.sagalog.health.ComponentHealth;
import io.sagalog.health.ConsumerFactory;
import io.sagalog.health.SupervisedLoop;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.JournalEvent;
import io.sagalog.schemas.avro.JournalRecord;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets HTTP handlers wait for a transaction to settle without polling: one consumer follows the journal (every
 * partition, from its end, committed decisions only) and wakes the waiters of a transaction when a decision leaves
 * it COMPLETED, ROLLED_BACK, RESOLVED or PARKED (parked waits for a person, so waiting longer would not help).
 * Records of transactions nobody waits for are skipped by key, without decoding.
 */
public final class TransactionWaits implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransactionWaits.class);
    /** Statuses a waiting client is told about at once. */
    private static final Set<String> SETTLED = Set.of(TxStatus.COMPLETED.name(), TxStatus.ROLLED_BACK.name(),
            TxStatus.RESOLVED.name(), TxStatus.PARKED.name());

    /** The longest a request may wait; longer waits belong in a loop of the client. */
    public static final Duration MAX_WAIT = Duration.ofSeconds(30);

    private final Vertx vertx;
    /** The name of the follower loop in health and metrics. */
    public static final String COMPONENT = "journal-follower";

    private final io.sagalog.schemas.KafkaClients kafka;
    private final String journal;
    private final ConsumerFactory consumers;
    /** How far the follower read, per partition: a restarted follower goes on from there and misses nothing. */
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private final Map<String, List<Promise<Boolean>>> waiters = new ConcurrentHashMap<>();
    private final SupervisedLoop follower;

    public TransactionWaits(Vertx vertx, String bootstrapServers) {
        this(vertx, bootstrapServers, new ComponentHealth(), ConsumerFactory.KAFKA);
    }

    /**
     * @param health where the follower reports as {@value #COMPONENT}; it restarts itself when it fails
     * @param consumers creates the follower's consumer, again after each failure
     */
    public TransactionWaits(Vertx vertx, String bootstrapServers, ComponentHealth health, ConsumerFactory consumers) {
        this(vertx, io.sagalog.schemas.KafkaClients.of(bootstrapServers), io.sagalog.schemas.TopicNames.DEFAULT, health, consumers);
    }

    /**
     * @param kafka the cluster and the client settings (security) the follower uses
     * @param topics the deployment's topic names (--topic-prefix): the follower reads its journal
     */
    public TransactionWaits(Vertx vertx, io.sagalog.schemas.KafkaClients kafka, io.sagalog.schemas.TopicNames topics, ComponentHealth health, ConsumerFactory consumers) {
        this.vertx = vertx;
        this.journal = topics.journal().name();
        this.kafka = kafka;
        this.consumers = consumers;
        // The first session opens here, so that waits registered once this returns see every later decision.
        SupervisedLoop.Session first = openFollower();
        java.util.concurrent.atomic.AtomicReference<SupervisedLoop.Session> opened = new java.util.concurrent.atomic.AtomicReference<>(first);
        this.follower = SupervisedLoop.start(COMPONENT, health, () -> {
            SupervisedLoop.Session s = opened.getAndSet(null);
            return s != null ? s : openFollower();
        });
    }

    /** A fresh consumer on every journal partition: at the positions read so far, at the end the first time. */
    private SupervisedLoop.Session openFollower() {
        Properties c = kafka.properties();
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Under exactly_once_v2 a decision counts once its transaction committed.
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        Consumer<String, byte[]> consumer = consumers.create(COMPONENT, c);
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(journal).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            for (TopicPartition tp : partitions) {
                Long position = positions.get(tp);
                if (position == null) {
                    consumer.seekToEnd(List.of(tp));
                    positions.put(tp, consumer.position(tp)); // resolve "end" now
                } else {
                    consumer.seek(tp, position);
                }
            }
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
        return SupervisedLoop.Session.polling(consumer, () -> followOnce(consumer));
    }

    /** One registered wait: its outcome, and a way to stop waiting early (e.g. the transaction had already settled). */
    public record Wait(Future<Boolean> settled, Runnable cancel) {}

    /**
     * Completes with true once the transaction settles, or with false when {@code timeout} passes first. Register
     * before looking at the current state, so a decision made in between is not missed.
     */
    public Wait await(String txId, Duration timeout) {
        Promise<Boolean> promise = Promise.promise();
        List<Promise<Boolean>> list = waiters.computeIfAbsent(txId, k -> new CopyOnWriteArrayList<>());
        list.add(promise);
        long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> promise.tryComplete(false));
        Future<Boolean> future = promise.future().onComplete(done -> {
            vertx.cancelTimer(timer);
            remove(txId, promise);
        });
        return new Wait(future, () -> promise.tryComplete(false));
    }

    /** What {@link #waitParam} returns after it answered a bad {@code wait} with 422. */
    public static final Duration INVALID = Duration.ofNanos(-1);

    /**
     * The request's {@code wait} when {@code waits} can serve it, else null; a bad value is answered with a 422
     * problem and {@link #INVALID} returned, so the handler stops.
     */
    public static Duration waitParam(io.vertx.ext.web.RoutingContext ctx, TransactionWaits waits) {
        try {
            return waits == null ? null : parseWait(ctx.request().getParam("wait"));
        } catch (IllegalArgumentException e) {
            Problem.invalidRequest(e.getMessage()).send(ctx);
            return INVALID;
        }
    }

    /** The {@code wait} query parameter: null when absent; at most {@link #MAX_WAIT}. */
    public static Duration parseWait(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Duration d;
        try {
            d = io.sagalog.engine.Durations.parse(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'wait' must be a duration such as 5s or 500ms (" + e.getMessage() + ")");
        }
        if (d.isNegative() || d.compareTo(MAX_WAIT) > 0) {
            throw new IllegalArgumentException("'wait' must be between 0s and " + MAX_WAIT.toSeconds() + "s");
        }
        return d;
    }

    private void remove(String txId, Promise<Boolean> promise) {
        waiters.computeIfPresent(txId, (k, list) -> {
            list.remove(promise);
            return list.isEmpty() ? null : list;
        });
    }

    /** How many transactions are being waited for (for tests and metrics). */
    public int waiting() {
        return waiters.size();
    }

    private void followOnce(Consumer<String, byte[]> consumer) {
        var records = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<String, byte[]> record : records) {
            List<Promise<Boolean>> list = record.key() == null ? null : waiters.get(record.key());
            if (list != null && settles(record)) {
                list.forEach(p -> p.tryComplete(true));
            }
        }
        if (!records.isEmpty()) {
            for (TopicPartition tp : records.partitions()) {
                positions.put(tp, consumer.position(tp));
            }
        }
    }

    private static boolean settles(ConsumerRecord<String, byte[]> record) {
        try {
            JournalRecord journal = Topics.JOURNAL.serde().decode(record.value());
            for (JournalEvent e : journal.getEvents()) {
                if (SETTLED.contains(e.getStatus())) {
                    return true;
                }
            }
        } catch (RuntimeException e) {
            log.warn("skipping an unreadable journal record at {}-{} offset {}", record.topic(), record.partition(),
                    record.offset());
        }
        return false;
    }

    @Override
    public void close() {
        follower.close(Duration.ofSeconds(5));
    }
}
