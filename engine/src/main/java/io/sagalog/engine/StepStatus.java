package io.sagalog.engine;

/** Where one step of a transaction stands. */
public enum StepStatus {
    PENDING,
    /** An action attempt is outstanding. */
    RUNNING,
    /** The action failed or timed out and waits for its next attempt. */
    RETRY_WAIT,
    SUCCEEDED,
    FAILED,
    /** A compensation attempt is outstanding. */
    COMPENSATING,
    /** The compensation failed or timed out and waits for its next attempt. */
    COMPENSATION_RETRY_WAIT,
    COMPENSATED
}
