package io.sagalog.compensators.internal;

import io.sagalog.health.SupervisedLoop;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.StepRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer's life in a worker: polls the participant's step topic, runs each request, and commits once the
 * results are acked, so a crash re-runs requests (handlers are idempotent by contract) and never loses one.
 */
public final class StepSession implements SupervisedLoop.Session {
    private static final Logger log = LoggerFactory.getLogger(StepSession.class);
    /** How often a worker commits its consumer offsets. */
    private static final Duration COMMIT_EVERY = Duration.ofMillis(100);

    private final Consumer<String, byte[]> consumer;
    private final String participant;
    private final String topic;
    private final StepRunner runner;
    private final ResultLog results;
    private long lastCommit = System.nanoTime();
    // True while every record polled so far has its result acked: only then may positions be committed.
    private boolean answered = true;
    private boolean uncommitted = false;

    /** @param topic the participant's step topic under the deployment's names */
    public StepSession(Consumer<String, byte[]> consumer, String participant, String topic, StepRunner runner,
                       ResultLog results) {
        this.consumer = consumer;
        this.participant = participant;
        this.topic = topic;
        this.runner = runner;
        this.results = results;
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // Called from poll(): everything polled before is answered and acked. A commit that fails here
                // costs re-running some requests (handlers are idempotent), not the worker.
                try {
                    consumer.commitSync(Duration.ofSeconds(5));
                } catch (WakeupException | InterruptException e) {
                    throw e;
                } catch (RuntimeException e) {
                    log.warn("participant {} could not commit before a rebalance ({}); some requests run again",
                            participant, e.toString());
                }
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            }
        });
    }

    @Override
    public void step() throws Exception {
        ConsumerRecords<String, byte[]> records = poll();
        if (records.isEmpty()) {
            if (uncommitted) {
                consumer.commitAsync(); // quiet now: commit what was answered, so lag reads 0
                uncommitted = false;
                lastCommit = System.nanoTime();
            }
            return;
        }
        answered = false;
        List<StepRequest> requests = new ArrayList<>(records.count());
        List<Future<RecordMetadata>> sent = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> record : records) {
            StepRequest request = decode(record);
            if (request != null) {
                // From the engine's decision (the record's time) to now: its lag plus this topic's backlog,
                // which ingest watches to refuse work participants cannot take (admission).
                // The engine's span for this attempt: the handler's spans are its children, the result belongs to it.
                io.sagalog.tracing.TraceParent trace = io.sagalog.tracing.TraceParent.from(record.headers()).orElse(null);
                ControlRecord result = runner.run(request, Math.max(0, System.currentTimeMillis() - record.timestamp()),
                        trace == null ? null : trace.header());
                requests.add(request);
                sent.add(results.append(request, result, trace));
            }
        }
        for (int i = 0; i < sent.size(); i++) {
            results.awaitAck(requests.get(i), sent.get(i)); // every result acked before its request is marked done
        }
        answered = true;
        uncommitted = true;
        // Everything polled so far is answered and acked, so committing the positions is safe. Committing at most
        // every COMMIT_EVERY (asynchronously) spares the broker an offset write per batch; a crash re-runs at most
        // that much, and handlers are idempotent by contract.
        long now = System.nanoTime();
        if (now - lastCommit >= COMMIT_EVERY.toNanos()) {
            consumer.commitAsync();
            lastCommit = now;
            uncommitted = false;
        }
    }

    /** A poll; a batch compressed with a codec the SDK leaves out fails with the jar to add, not a bare class name. */
    private ConsumerRecords<String, byte[]> poll() {
        try {
            return consumer.poll(Duration.ofMillis(100));
        } catch (RuntimeException | LinkageError e) {
            java.util.Optional<IllegalStateException> missingCodec = Codecs.explain(e, topic);
            if (missingCodec.isPresent()) {
                throw missingCodec.get();
            }
            throw e;
        }
    }

    private StepRequest decode(ConsumerRecord<String, byte[]> record) {
        try {
            return Topics.steps(participant).serde().decode(record.value());
        } catch (RuntimeException e) {
            log.error("participant {} skips an unreadable request at {}-{} offset {}: {}", participant,
                    record.topic(), record.partition(), record.offset(), e.getMessage());
            return null;
        }
    }

    @Override
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        if (answered) {
            try {
                consumer.commitSync(Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                log.debug("participant {} could not commit on close: {}", participant, e.toString());
            }
        }
        consumer.close(Duration.ofSeconds(5));
    }
}
