package io.sagalog.http;

import io.sagalog.schemas.avro.ControlRecord;
import java.util.concurrent.CompletionStage;

/**
 * Where an HTTP front appends what its callers ask for: a submit, a step result, an operator action. The node hands
 * every front the same one (ingest's Kafka producer), so the console appends without depending on ingest.
 */
public interface ControlLog extends AutoCloseable {

    /** Completes once the broker acknowledged the record (acks=all), or fails if it could not be written. */
    CompletionStage<Void> append(ControlRecord record);

    /**
     * As {@link #append(ControlRecord)}, with {@code trace} in the record's {@code traceparent} header (null: none).
     * A log that keeps no headers appends the record alone.
     */
    default CompletionStage<Void> append(ControlRecord record, io.sagalog.tracing.TraceParent trace) {
        return append(record);
    }

    @Override
    void close();
}
