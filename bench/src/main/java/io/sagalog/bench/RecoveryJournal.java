package io.sagalog.bench;

import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.JournalEvent;
import io.sagalog.schemas.avro.JournalRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Watches the journal of {@code sagalog bench-recovery} from its end: when each transaction's first step succeeded
 * (it moved again after the restart) and when it ended. Read with {@code read_committed}, so under exactly_once_v2
 * only committed decisions count.
 */
final class RecoveryJournal implements AutoCloseable {
    private final Set<String> ids;
    private final String firstStep;
    private final Set<String> moved = ConcurrentHashMap.newKeySet();
    private final Queue<Long> movedAt = new ConcurrentLinkedQueue<>();
    private final Map<String, String> finals = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private final KafkaConsumer<String, byte[]> consumer;
    private volatile long firstMoved;
    private volatile long lastMoved;
    private volatile long lastFinal;

    RecoveryJournal(String bootstrap, Set<String> ids, String firstStep) {
        this.ids = ids;
        this.firstStep = firstStep;
        consumer = RecoveryProbes.consumer(bootstrap);
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOURNAL.name()).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        thread = new Thread(this::loop, "recovery-bench-journal");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    record(Topics.JOURNAL.serde().decode(r.value()), System.nanoTime());
                }
            }
        } finally {
            consumer.close();
        }
    }

    private void record(JournalRecord record, long now) {
        if (!ids.contains(record.getTxId())) {
            return;
        }
        for (JournalEvent e : record.getEvents()) {
            String type = e.getType();
            if (type.equals("StepSucceeded") && firstStep.equals(e.getStep()) && moved.add(record.getTxId())) {
                if (moved.size() == 1) {
                    firstMoved = now;
                }
                lastMoved = now;
                movedAt.add(now);
            } else if ((type.equals("TxCompleted") || type.equals("TxRolledBack") || type.equals("TxParked"))
                    && finals.putIfAbsent(record.getTxId(), e.getStatus()) == null) {
                lastFinal = now;
            }
        }
    }

    /** Waits until every transaction moved and ended; fails when that takes longer than {@code timeout}. */
    void awaitAll(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (moved.size() < ids.size() || finals.size() < ids.size()) {
            if (!thread.isAlive()) {
                throw new IllegalStateException("the journal reader stopped; " + moved.size() + " moved and "
                        + finals.size() + " final of " + ids.size());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(moved.size() + " moved and " + finals.size() + " final of " + ids.size()
                        + " after " + timeout);
            }
            Thread.sleep(20);
        }
    }

    long firstMoved() {
        return firstMoved;
    }

    long lastMoved() {
        return lastMoved;
    }

    long lastFinal() {
        return lastFinal;
    }

    /** When the 10th, 50th and 90th percentile of the transactions moved, from {@code start}: the shape of the recovery. */
    String movedPercentiles(long start) {
        List<Long> times = movedAt.stream().sorted().toList();
        return IntStream.of(10, 50, 90).mapToObj(p -> p + "% at "
                + (times.get(Math.min(times.size() - 1, times.size() * p / 100)) - start) / 1_000_000 + " ms")
                .collect(Collectors.joining(", "));
    }

    /** How many ended in each final status. */
    String finals() {
        return finals.values().stream().collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()))
                .toString();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(5_000);
    }
}
