package io.sagalog.engine.trace;

/**
 * Where the engine hands the spans it finished (the app module exports them through OpenTelemetry). Called on a
 * stream thread: it must return at once and never block (queue the span, as OpenTelemetry's batch processor does).
 */
public interface SpanSink extends AutoCloseable {
    /** Exports nothing and costs nothing: the engine skips all span work when {@link #enabled()} is false. */
    SpanSink NONE = new SpanSink() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public void finished(FinishedSpan span) {}
    };

    /** False: no exporter is configured, so the engine does not build spans at all. */
    default boolean enabled() {
        return true;
    }

    void finished(FinishedSpan span);

    /** Sends what is queued and stops; called once when the node stops. */
    @Override
    default void close() {}
}
