package io.sagalog.engine;

/** Where one step of a transaction stands. */
public enum StepStatus {
    PENDING, RUNNING, SUCCEEDED, FAILED, COMPENSATING, COMPENSATED
}
