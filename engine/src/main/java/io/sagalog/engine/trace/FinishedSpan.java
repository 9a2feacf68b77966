package io.sagalog.engine.trace;

import io.sagalog.tracing.TraceParent;
import java.util.Map;

/**
 * A span the engine finished: one transaction, one step attempt or one compensation attempt. Its ids are derived
 * ({@link io.sagalog.tracing.SagaSpanIds}) and its times are those recorded in the transaction's history, so the
 * same decision always yields the same span, on any instance and after any replay.
 *
 * @param context the span's trace id, its own span id and the sampled flag
 * @param parentSpanId the parent span's id in the same trace; null for the root of the trace
 * @param attributes values are {@link String} or {@link Long}; keys are the constants below
 * @param error the span failed (an attempt that did not succeed, a transaction that did not complete)
 * @param statusMessage why, for people; null when it did not fail
 */
public record FinishedSpan(String name, Kind kind, TraceParent context, String parentSpanId, long startMillis,
                           long endMillis, Map<String, Object> attributes, boolean error, String statusMessage) {
    public static final String TX_ID = "sagalog.tx_id";
    public static final String DEFINITION = "sagalog.definition";
    public static final String STEP = "sagalog.step";
    public static final String ATTEMPT = "sagalog.attempt";
    public static final String PHASE = "sagalog.phase";
    public static final String OUTCOME = "sagalog.outcome";
    public static final String RULE = "sagalog.rule";

    /** INTERNAL for a transaction; CLIENT for an attempt, which stands for a call of another service. */
    public enum Kind { INTERNAL, CLIENT }

    public FinishedSpan {
        attributes = Map.copyOf(attributes);
    }
}
