package io.sagalog.engine;

/** Lifecycle of a transaction: PENDING -> RUNNING -> COMPLETED, RUNNING -> COMPENSATING -> ROLLED_BACK, and PARKED. */
public enum TxStatus {
    /** Not started yet: the state before the first input. */
    PENDING,
    RUNNING,
    COMPENSATING,
    COMPLETED,
    ROLLED_BACK,
    /** Needs an operator; left only by an operator command. */
    PARKED,
    /** Closed by an operator as handled by hand (action {@code resolve}); final. */
    RESOLVED;

    public boolean isFinal() {
        return this == COMPLETED || this == ROLLED_BACK || this == RESOLVED;
    }
}
