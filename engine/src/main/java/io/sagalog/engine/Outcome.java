package io.sagalog.engine;

/** What a participant reported for one attempt. */
public enum Outcome {
    SUCCEEDED,
    /** Worth retrying: a timeout, an error marked retryable, an open circuit. */
    FAILED_TRANSIENT,
    /** A business rejection: retrying gives the same answer, so the transaction must change course. */
    FAILED_PERMANENT,
    /**
     * The call may have reached the participant and no answer came back (a timeout after the request was sent, a
     * connection reset, a 502/503/504 from a proxy): the effect may have happened. Treated like a step timeout.
     */
    UNKNOWN,
    /** The request was not delivered because its deadline had passed: nothing happened, so it is safe to retry. */
    EXPIRED
}
