package io.sagalog.bench;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/** The closed loop of {@link LoadDriver}: each client issues its next operation when its previous one completed. */
final class ClosedLoop {
    private final LoadRecorder rec;
    private final Function<Long, CompletionStage<?>> op;
    private final Ticker ticker;
    private final long measureEnd;
    private final AtomicLong sequence = new AtomicLong();
    volatile boolean stopped;

    ClosedLoop(LoadRecorder rec, Function<Long, CompletionStage<?>> op, Ticker ticker, long measureEnd) {
        this.rec = rec;
        this.op = op;
        this.ticker = ticker;
        this.measureEnd = measureEnd;
    }

    /** Issues operations one after another until one completes asynchronously, whose completion resumes it. */
    void chain() {
        while (true) {
            long now = ticker.nanoTime();
            if (stopped || now >= measureEnd) {
                return;
            }
            CompletionStage<?> stage = LoadDriver.issue(rec, op, ticker, sequence.getAndIncrement(), now, now);
            if (stage == null) {
                continue; // failed synchronously, already recorded
            }
            // 0: issuing; 1: the issuer left, the callback continues the chain; 2: completed while issuing.
            AtomicInteger state = new AtomicInteger();
            stage.whenComplete((v, e) -> {
                if (!state.compareAndSet(0, 2)) {
                    chain();
                }
            });
            if (state.compareAndSet(0, 1)) {
                return;
            }
        }
    }
}
