package io.sagalog.dispatcher;

import io.sagalog.schemas.avro.StepRequest;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The step requests handed to lanes and not yet answered, per partition in offset order: what may be committed is
 * the offset after the last request that is answered together with all before it, so a crash re-sends unanswered
 * requests and never loses one. Used by the dispatcher loop's thread only.
 */
final class InFlightRequests {
    private static final Logger log = LoggerFactory.getLogger(InFlightRequests.class);

    /** A request handed to a lane, by its offset; done once its answer is in the control log. */
    private record InFlight(long offset, StepRequest request, CompletableFuture<?> done) {}

    private final Map<TopicPartition, ArrayDeque<InFlight>> byPartition = new HashMap<>();

    /** @param request the request at {@code offset}, or null when it could not be read (for the log only) */
    void add(TopicPartition partition, long offset, StepRequest request, CompletableFuture<?> done) {
        byPartition.computeIfAbsent(partition, tp -> new ArrayDeque<>()).add(new InFlight(offset, request, done));
    }

    /** Forgets the requests that are answered; per partition, the offset to commit now (partitions with none left out). */
    Map<TopicPartition, OffsetAndMetadata> takeFinished() {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        for (var entry : byPartition.entrySet()) {
            ArrayDeque<InFlight> queue = entry.getValue();
            long next = -1;
            while (!queue.isEmpty() && queue.peekFirst().done().isDone()) {
                InFlight finished = queue.pollFirst();
                if (finished.done().isCompletedExceptionally()) {
                    // The answer could not be appended; the engine times the attempt out and retries it.
                    StepRequest r = finished.request();
                    try (var mdc = r == null ? null : io.sagalog.logging.TransactionMdc.of(r.getTxId(), r.getDefinition(), r.getStep())) {
                        log.warn("an answer of {} was not recorded; the engine will retry that attempt", entry.getKey());
                    }
                }
                next = finished.offset() + 1;
            }
            if (next >= 0) {
                commit.put(entry.getKey(), new OffsetAndMetadata(next));
            }
        }
        return commit;
    }

    /** Requests handed out and not yet known to be answered. */
    int size() {
        return byPartition.values().stream().mapToInt(ArrayDeque::size).sum();
    }

    /** Partitions this instance no longer holds: their unanswered requests are the next owner's to send. */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(byPartition::remove);
    }

    void clear() {
        byPartition.clear();
    }
}
