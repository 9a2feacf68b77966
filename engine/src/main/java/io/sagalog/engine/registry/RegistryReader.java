package io.sagalog.engine.registry;

import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.health.ConsumerFactory;
import io.sagalog.health.SupervisedLoop;
import io.sagalog.schemas.KafkaClients;
import io.sagalog.schemas.TopicNames;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.ParticipantRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's reader: follows both registry topics from the start into immutable snapshots, and tells each writer
 * when this instance has read its record back.
 */
final class RegistryReader {
    private static final Logger log = LoggerFactory.getLogger(RegistryReader.class);

    private final KafkaClients kafka;
    private final TopicNames names;
    private final ConsumerFactory consumers;
    /** The topics' ends when the first reader session opened: the registry starts once they are read. */
    private volatile Map<TopicPartition, Long> initialEnds;
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    /**
     * Writes waiting to be read back. A flat concurrent queue: the producer's callback adds while the reader releases,
     * and a container per offset could be dropped as empty by one between the other's lookup and its add, leaving
     * that write waiting forever (seen as a PUT that timed out although the registry had read the record).
     */
    private final Queue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final DefinitionsLog definitionsLog = new DefinitionsLog();
    private volatile DefinitionCatalog definitions = DefinitionCatalog.of(List.of());
    private volatile Map<String, ParticipantInfo> participants = Map.of();

    private record Waiter(TopicPartition partition, long offset, Runnable done) {}

    /** Callers waiting to see everything written so far ({@link #readToEnd}); served by the reader's own thread. */
    private final Queue<CompletableFuture<Void>> readsToEnd = new ConcurrentLinkedQueue<>();

    RegistryReader(KafkaClients kafka, TopicNames names, ConsumerFactory consumers) {
        this.kafka = kafka;
        this.names = names;
        this.consumers = consumers;
    }

    DefinitionCatalog definitions() {
        return definitions;
    }

    Map<String, ParticipantInfo> participants() {
        return participants;
    }

    DefinitionsLog definitionsLog() {
        return definitionsLog;
    }

    /** Whether the reader has read both topics up to their ends as of its first session. */
    boolean caughtUp() {
        Map<TopicPartition, Long> ends = initialEnds;
        return ends != null && ends.entrySet().stream()
                .allMatch(e -> positions.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    /** Runs {@code done} once the record at {@code offset} is read (at once, if it is already). */
    void whenRead(TopicPartition partition, long offset, Runnable done) {
        waiters.add(new Waiter(partition, offset, done));
        releaseWaiters(); // the reader may have read the record already
    }

    /**
     * Completes once this reader has read both topics up to their ends as of the reader's next round (what another
     * instance registered before this call is then known). Never blocks the caller: the reader's own thread asks
     * the broker for the ends; callers bound the wait themselves (a reader that is restarting answers later).
     */
    CompletableFuture<Void> readToEnd() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        readsToEnd.add(done);
        return done;
    }

    /** On the reader's thread: turns the waiting {@link #readToEnd} calls into waiters at the topics' current ends. */
    private void registerReadsToEnd(Consumer<String, byte[]> consumer) {
        if (readsToEnd.isEmpty()) {
            return;
        }
        List<CompletableFuture<Void>> callers = new ArrayList<>();
        for (CompletableFuture<Void> f = readsToEnd.poll(); f != null; f = readsToEnd.poll()) {
            callers.add(f);
        }
        Map<TopicPartition, Long> ends;
        try {
            ends = consumer.endOffsets(consumer.assignment());
        } catch (RuntimeException e) {
            readsToEnd.addAll(callers); // asked again next round
            throw e;
        }
        List<CompletableFuture<Void>> partitionsRead = new ArrayList<>();
        ends.forEach((tp, end) -> {
            if (end > 0) {
                CompletableFuture<Void> read = new CompletableFuture<>();
                partitionsRead.add(read);
                whenRead(tp, end - 1, () -> read.complete(null));
            }
        });
        CompletableFuture<Void> all = CompletableFuture.allOf(partitionsRead.toArray(CompletableFuture[]::new));
        callers.forEach(caller -> all.thenRun(() -> caller.complete(null)));
    }

    private void releaseWaiters() {
        // Both threads may see the same waiter as done: its completion is idempotent.
        waiters.removeIf(w -> {
            if (positions.getOrDefault(w.partition(), 0L) > w.offset()) {
                w.done().run();
                return true;
            }
            return false;
        });
    }

    /**
     * Opens a session: a fresh consumer on every partition of both topics, at the positions already read (from the
     * start the first time), so a restarted reader goes on where the last one stopped.
     */
    SupervisedLoop.Session open() {
        Properties c = kafka.properties();
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        Consumer<String, byte[]> consumer = consumers.create(Registry.COMPONENT, c);
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(names.definitions().name(), names.participants().name())) {
                consumer.partitionsFor(topic).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            }
            consumer.assign(partitions);
            for (TopicPartition tp : partitions) {
                Long position = positions.get(tp);
                if (position == null) {
                    consumer.seekToBeginning(List.of(tp));
                } else {
                    consumer.seek(tp, position);
                }
            }
            if (initialEnds == null) {
                initialEnds = Map.copyOf(consumer.endOffsets(partitions));
            }
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
        return SupervisedLoop.Session.polling(consumer, () -> readOnce(consumer));
    }

    /** One poll: applies what came, publishes new snapshots, and releases the writers waiting for it. */
    private void readOnce(Consumer<String, byte[]> consumer) {
        registerReadsToEnd(consumer);
        var records = consumer.poll(Duration.ofMillis(100));
        boolean changedDefinitions = false;
        boolean changedParticipants = false;
        Map<String, ParticipantInfo> nextParticipants = null;
        for (ConsumerRecord<String, byte[]> r : records) {
            try {
                if (r.topic().equals(names.definitions().name())) {
                    definitionsLog.apply(r.key(), r.value());
                    changedDefinitions = true;
                } else {
                    if (nextParticipants == null) {
                        nextParticipants = new HashMap<>(participants);
                    }
                    applyParticipant(r, nextParticipants);
                    changedParticipants = true;
                }
            } catch (RuntimeException e) {
                log.error("skipping unreadable registry record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(),
                        e.getMessage());
            }
        }
        if (changedDefinitions) {
            definitions = definitionsLog.catalog();
        }
        if (changedParticipants) {
            participants = Map.copyOf(nextParticipants);
        }
        for (TopicPartition tp : consumer.assignment()) {
            positions.put(tp, consumer.position(tp));
        }
        releaseWaiters();
    }

    private static void applyParticipant(ConsumerRecord<String, byte[]> r, Map<String, ParticipantInfo> into) {
        if (r.value() == null) {
            into.remove(r.key());
            return;
        }
        ParticipantRecord p = Topics.PARTICIPANTS.serde().decode(r.value());
        into.put(p.getName(), new ParticipantInfo(p.getName(),
                ParticipantInfo.Transport.valueOf(p.getTransport().toUpperCase(java.util.Locale.ROOT)), p.getUrl(),
                Duration.ofMillis(p.getTimeoutMillis()), p.getMaxConcurrency(), p.getHealthUrl()));
    }
}
