package io.sagalog.engine;

/** The kind of input, as the transition table sees it. */
public enum Trigger {
    REQUESTED, ACTION_SUCCEEDED, ACTION_FAILED, COMPENSATION_SUCCEEDED, COMPENSATION_FAILED,
    /** An outstanding attempt got no result in time. */
    TIMEOUT,
    /** A retry's wait is over. */
    BACKOFF_OVER,
    /** The transaction's deadline passed. */
    DEADLINE,
    /** The engine's sweep found the transaction in flight without any timer. */
    REPAIR,
    /** An operator acted (retry, skip, rollback, resume, resolve, hold, release). */
    OPERATOR,
    /** A finished transaction's retention is over: archive it. */
    EXPIRY,
    /** A finished transaction was archived: evict it from the stores. */
    EVICTION;

    public static Trigger of(Input input) {
        if (input instanceof Input.TxRequested) {
            return REQUESTED;
        }
        if (input instanceof Input.OperatorCommand) {
            return OPERATOR;
        }
        if (input instanceof Input.TimerFired fired) {
            return switch (fired.timer().kind()) {
                case STEP_TIMEOUT -> TIMEOUT;
                case BACKOFF -> BACKOFF_OVER;
                case DEADLINE -> DEADLINE;
                case REPAIR -> REPAIR;
                case EXPIRE -> EXPIRY;
                case EVICT -> EVICTION;
            };
        }
        Input.StepResult r = (Input.StepResult) input;
        boolean ok = r.outcome() == Outcome.SUCCEEDED;
        if (r.phase() == Phase.ACTION) {
            return ok ? ACTION_SUCCEEDED : ACTION_FAILED;
        }
        return ok ? COMPENSATION_SUCCEEDED : COMPENSATION_FAILED;
    }
}
