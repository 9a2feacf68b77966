package io.sagalog.tracing;

/**
 * The span ids of a transaction's spans, derived from what the spans stand for (see
 * {@link TraceParent#derivedSpanId}), so ingest, every engine instance and every replay agree on them.
 */
public final class SagaSpanIds {
    private SagaSpanIds() {}

    /** The transaction span's id. */
    public static String transaction(String traceId, String txId) {
        return TraceParent.derivedSpanId(traceId, "transaction", txId);
    }

    /** The span of one attempt of a step's action ({@code phase} ACTION) or compensation (COMPENSATION). */
    public static String attempt(String traceId, String txId, String step, String phase, int attempt) {
        return TraceParent.derivedSpanId(traceId, "attempt", txId, step, phase, Integer.toString(attempt));
    }

    /**
     * The context a new transaction's request carries in the control log: the submitting request's
     * {@code traceparent} when it has a valid one (the transaction span becomes its child); otherwise a new trace
     * whose context names the transaction span itself, which then is the trace's root. Never fails.
     */
    public static TraceParent ofRequest(String traceparentHeader, String txId) {
        return TraceParent.parse(traceparentHeader).orElseGet(() -> {
            TraceParent fresh = TraceParent.newTrace(TraceParent.randomSpanId());
            return fresh.withSpanId(transaction(fresh.traceId(), txId));
        });
    }

    /** True when {@code request} (as {@link #ofRequest} made it) names the transaction span: the span has no parent. */
    public static boolean isRoot(TraceParent request, String txId) {
        return request.spanId().equals(transaction(request.traceId(), txId));
    }
}
