package io.sagalog.ingest;

/** Whether ingest takes new submits now. Must be cheap: it is asked on the event loop for every submit. */
@FunctionalInterface
public interface Admission {
    /** Null to admit; else why not (the detail of a 503). */
    String refusal();

    static Admission always() {
        return () -> null;
    }
}
