package io.sagalog.app.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.sagalog.engine.trace.FinishedSpan;
import io.sagalog.engine.trace.SpanSink;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The engine's spans through an OpenTelemetry SDK. A span the engine finished is started and ended at once, with its
 * recorded times, and with the ids the engine derived: the SDK takes them from {@link #ids()}, the tracer provider's
 * id generator, which hands out the id of the span being built on this thread (a random one otherwise). Never blocks:
 * the SDK's batch processor queues the span and exports it on its own thread.
 */
public final class OtelSpans implements SpanSink {
    /** The span being built on this thread, whose ids the generator hands out. */
    private static final ThreadLocal<FinishedSpan> BUILDING = new ThreadLocal<>();
    private static final String SCOPE = "io.sagalog.engine";

    private final Tracer tracer;
    private final AutoCloseable sdk;

    /**
     * @param openTelemetry an SDK whose tracer provider uses {@link #ids()}
     * @param sdk closed (flushing what is queued) when the engine stops
     */
    public OtelSpans(io.opentelemetry.api.OpenTelemetry openTelemetry, AutoCloseable sdk) {
        this.tracer = openTelemetry.getTracer(SCOPE);
        this.sdk = sdk;
    }

    /** The id generator the tracer provider must use, so that spans keep the engine's ids. */
    public static IdGenerator ids() {
        return new IdGenerator() {
            private final IdGenerator random = IdGenerator.random();

            @Override
            public String generateSpanId() {
                FinishedSpan span = BUILDING.get();
                return span == null ? random.generateSpanId() : span.context().spanId();
            }

            @Override
            public String generateTraceId() {
                FinishedSpan span = BUILDING.get();
                return span == null ? random.generateTraceId() : span.context().traceId();
            }
        };
    }

    @Override
    public void finished(FinishedSpan span) {
        SpanBuilder builder = tracer.spanBuilder(span.name())
                .setSpanKind(span.kind() == FinishedSpan.Kind.CLIENT ? SpanKind.CLIENT : SpanKind.INTERNAL)
                .setStartTimestamp(span.startMillis(), TimeUnit.MILLISECONDS);
        if (span.parentSpanId() == null) {
            builder.setNoParent();
        } else {
            builder.setParent(Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(span.context().traceId(),
                    span.parentSpanId(), span.context().sampled() ? TraceFlags.getSampled() : TraceFlags.getDefault(),
                    TraceState.getDefault()))));
        }
        for (Map.Entry<String, Object> a : span.attributes().entrySet()) {
            if (a.getValue() instanceof Long n) {
                builder.setAttribute(AttributeKey.longKey(a.getKey()), n);
            } else {
                builder.setAttribute(AttributeKey.stringKey(a.getKey()), String.valueOf(a.getValue()));
            }
        }
        Span started;
        BUILDING.set(span);
        try {
            started = builder.startSpan();
        } finally {
            BUILDING.remove();
        }
        if (span.error()) {
            started.setStatus(StatusCode.ERROR, span.statusMessage() == null ? "" : span.statusMessage());
        }
        started.end(Math.max(span.startMillis(), span.endMillis()), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        try {
            sdk.close();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(OtelSpans.class).warn("could not flush the last spans: {}", e.toString());
        }
    }
}
