package io.sagalog.health;

import java.time.Duration;

/** Capped exponential back-off: {@code initial}, doubling on each failure up to {@code max}; {@link #reset} starts over. */
public final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private long nextMillis;

    public Backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("back-off needs 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.nextMillis = initialMillis;
    }

    /** The delay before the next attempt; each call doubles the one after it, up to the cap. */
    public synchronized Duration next() {
        long delay = nextMillis;
        nextMillis = Math.min(maxMillis, nextMillis * 2);
        return Duration.ofMillis(delay);
    }

    /** After a healthy stretch: the next failure waits {@code initial} again. */
    public synchronized void reset() {
        nextMillis = initialMillis;
    }
}
