package io.sagalog.engine;

import java.time.Instant;

/**
 * A durable timer of one transaction. The engine keeps it in its {@code deadlines} store and feeds it back to
 * the decider as {@link Input.TimerFired} once {@link #due()} has passed.
 *
 * @param step null for {@link Kind#DEADLINE}
 * @param attempt the attempt the timer belongs to (for a backoff: the attempt about to be dispatched)
 * @param phase null for {@link Kind#DEADLINE}
 */
public record Timer(Instant due, Kind kind, String step, int attempt, Phase phase) {

    public enum Kind {
        /** No result for an outstanding attempt in time: its outcome is unknown. */
        STEP_TIMEOUT,
        /** A retry waited long enough; dispatch it now. */
        BACKOFF,
        /** The transaction's own deadline. */
        DEADLINE,
        /**
         * Not a timer of the transaction: the engine's sweep found it RUNNING or COMPENSATING with no timer at all
         * (nothing would ever move it again) and asks the decider to repair it.
         */
        REPAIR,
        /**
         * Not in {@link TxState#timers()}: the finished transaction's retention is over ({@link TxState#expiresAt()});
         * its final state and history go to the archive first.
         */
        EXPIRE,
        /** Read back after the {@link #EXPIRE} that archived the transaction (so the archive is written): evict it. */
        EVICT
    }

    /** The retention of a finished transaction is over at {@code due}. */
    public static Timer expire(Instant due) {
        return new Timer(due, Kind.EXPIRE, null, 0, null);
    }

    /** The transaction whose retention ended at {@code due} was archived; delete it from the stores. */
    public static Timer evict(Instant due) {
        return new Timer(due, Kind.EVICT, null, 0, null);
    }

    public static Timer repair(Instant at) {
        return new Timer(at, Kind.REPAIR, null, 0, null);
    }

    public static Timer stepTimeout(Instant due, String step, int attempt, Phase phase) {
        return new Timer(due, Kind.STEP_TIMEOUT, step, attempt, phase);
    }

    public static Timer backoff(Instant due, String step, int attempt, Phase phase) {
        return new Timer(due, Kind.BACKOFF, step, attempt, phase);
    }

    public static Timer deadline(Instant due) {
        return new Timer(due, Kind.DEADLINE, null, 0, null);
    }

    /** Whether this timer stands for the given outstanding attempt. */
    public boolean isTimeoutOf(String stepName, int attemptNumber, Phase attemptPhase) {
        return kind == Kind.STEP_TIMEOUT && step.equals(stepName) && attempt == attemptNumber && phase == attemptPhase;
    }
}
