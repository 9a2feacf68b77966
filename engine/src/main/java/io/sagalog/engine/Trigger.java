package io.sagalog.engine;

/** The kind of input, as the transition table sees it. */
public enum Trigger {
    REQUESTED, ACTION_SUCCEEDED, ACTION_FAILED, COMPENSATION_SUCCEEDED, COMPENSATION_FAILED;

    public static Trigger of(Input input) {
        if (input instanceof Input.TxRequested) {
            return REQUESTED;
        }
        Input.StepResult r = (Input.StepResult) input;
        boolean ok = r.outcome() == Outcome.SUCCEEDED;
        if (r.phase() == Phase.ACTION) {
            return ok ? ACTION_SUCCEEDED : ACTION_FAILED;
        }
        return ok ? COMPENSATION_SUCCEEDED : COMPENSATION_FAILED;
    }
}
