package io.sagalog.ingest;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An append on its way to Kafka. Until it is handed to the producer it can be {@link #withdraw withdrawn}, which
 * guarantees it is never written; once handed over, a failure means the outcome is unknown.
 */
public final class PendingAppend extends CompletableFuture<Void> {
    private static final int QUEUED = 0, HANDED_OVER = 1, WITHDRAWN = 2;
    private final AtomicInteger state = new AtomicInteger(QUEUED);

    /** True when it was still queued and now never will be sent; false when it was handed to Kafka already. */
    public boolean withdraw() {
        return withdraw("withdrawn before it was handed to Kafka");
    }

    /** {@link #withdraw()}, failing with this reason. */
    public boolean withdraw(String reason) {
        if (state.compareAndSet(QUEUED, WITHDRAWN)) {
            completeExceptionally(new NotRecordedException(reason));
            return true;
        }
        return state.get() == WITHDRAWN;
    }

    /** For the sender: true when it may hand the record to Kafka (nobody withdrew it). */
    boolean handOver() {
        if (state.compareAndSet(QUEUED, HANDED_OVER)) {
            handedOverAt = System.nanoTime();
            return true;
        }
        return false;
    }

    /** System.nanoTime() when it was handed to Kafka. */
    volatile long handedOverAt;

    /** Whether it left this process (a failure from here on leaves the outcome unknown). */
    public boolean handedOver() {
        return state.get() == HANDED_OVER;
    }
}
