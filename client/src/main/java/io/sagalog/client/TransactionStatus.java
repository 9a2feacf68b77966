package io.sagalog.client;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/**
 * Where a transaction stands, as the server names it ({@code status} in every transaction answer).
 * A status added to the server later reads as {@link #UNKNOWN} instead of failing the answer.
 */
public enum TransactionStatus {
    /** Accepted, not started by the engine yet. */
    PENDING,
    /** Its steps are being performed. */
    RUNNING,
    /** Completed steps are being undone, newest first. */
    COMPENSATING,
    /** Every step succeeded. Final. */
    COMPLETED,
    /** The completed steps were undone. Final. */
    ROLLED_BACK,
    /** Stopped and waiting for an operator ({@code reason} says why); left only by an operator action. */
    PARKED,
    /** Closed by an operator as handled by hand. Final. */
    RESOLVED,
    /** A status this client does not know (a newer server). */
    @JsonEnumDefaultValue
    UNKNOWN;

    /** Whether nothing more will happen to the transaction by itself: COMPLETED, ROLLED_BACK or RESOLVED. */
    public boolean isFinal() {
        return this == COMPLETED || this == ROLLED_BACK || this == RESOLVED;
    }

    /**
     * Whether waiting longer would not help: final, or PARKED (which waits for a person). This is when the
     * server's {@code ?wait=} answers early, and when {@link SagalogClient#await} returns.
     */
    public boolean isSettled() {
        return isFinal() || this == PARKED;
    }
}
