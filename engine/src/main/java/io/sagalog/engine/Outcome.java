package io.sagalog.engine;

/** What a participant reported for one attempt. */
public enum Outcome {
    SUCCEEDED,
    /** Worth retrying: a timeout, an error marked retryable, an open circuit. */
    FAILED_TRANSIENT,
    /** A business rejection: retrying gives the same answer, so the transaction must change course. */
    FAILED_PERMANENT
}
