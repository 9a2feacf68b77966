package io.sagalog.engine;

import java.time.Instant;

/**
 * Told of every decision the engine stores, on the stream thread, right after it was made: for metrics. It must
 * return at once and never block or do I/O (counting in memory is fine).
 */
@FunctionalInterface
public interface DecisionObserver {
    DecisionObserver NONE = (before, input, decision, now) -> { };

    /**
     * @param before the transaction's state before the input, or null for a new one
     * @param now the time the decision was made at
     */
    void decided(TxState before, Input input, Decision decision, Instant now);
}
