package io.sagalog.engine;

/** Whether a step request or result concerns the step's action or its compensation. */
public enum Phase {
    ACTION, COMPENSATION;

    /** The word used in idempotency keys: {@code txId:step:action} or {@code txId:step:compensation}. */
    public String keyWord() {
        return this == ACTION ? "action" : "compensation";
    }
}
