package io.sagalog.compensators;

import io.sagalog.tracing.TraceParent;

/**
 * The W3C trace context of one step attempt: the engine's span for the attempt, which a handler's own spans are
 * children of. The SDK brings no OpenTelemetry jar; hand {@link #traceparent()} to your propagator, e.g.
 * {@code W3CTraceContextPropagator.getInstance().extract(Context.root(), Map.of("traceparent", call.traceContext()
 * .traceparent()), MAP_GETTER)}, and start your spans with the context it returns.
 *
 * @param traceId 32 lower-case hex digits: the trace of the transaction (that of the request that started it)
 * @param spanId 16 lower-case hex digits: the attempt's span
 * @param sampled the trace's sampled flag
 */
public record TraceContext(String traceId, String spanId, boolean sampled) {
    /** The {@code traceparent} header value, {@code 00-<traceId>-<spanId>-<01|00>}. */
    public String traceparent() {
        return new TraceParent(traceId, spanId, sampled).header();
    }

    /**
     * The context of a {@code traceparent} value; a missing or malformed one (a request from an engine that sends
     * none) gives a new trace, as an OpenTelemetry propagator starts one: never null, never an exception.
     */
    public static TraceContext of(String traceparent) {
        TraceParent p = TraceParent.parse(traceparent)
                .orElseGet(() -> TraceParent.newTrace(TraceParent.randomSpanId()));
        return new TraceContext(p.traceId(), p.spanId(), p.sampled());
    }
}
