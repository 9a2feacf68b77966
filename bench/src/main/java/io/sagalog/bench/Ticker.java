package io.sagalog.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * The clock a {@link LoadDriver} schedules by. It is an interface so tests can replace real time with a virtual
 * clock and check schedules, stalls and percentiles exactly, without sleeping and without flakiness on a busy
 * machine.
 */
public interface Ticker {
    /** Monotonic time in nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /**
     * Returns once {@link #nanoTime()} has reached {@code nanos} (at once if it already has). May return early if
     * the thread is interrupted; callers check the interrupt flag.
     */
    void sleepUntil(long nanos);

    /** Real time. Sleeps by parking, which on Linux overshoots by some 50-100 µs; schedules stay absolute, so a
     * late wake-up is caught up by the following sends rather than accumulating as drift. */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }

    /** {@link #system()}; an enum so it is a singleton without a static holder. */
    enum SystemTicker implements Ticker {
        INSTANCE;

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleepUntil(long nanos) {
            long remaining;
            while ((remaining = nanos - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
                LockSupport.parkNanos(remaining);
            }
        }
    }
}
