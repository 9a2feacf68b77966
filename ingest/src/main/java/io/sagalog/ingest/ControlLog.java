package io.sagalog.ingest;

import io.sagalog.schemas.avro.ControlRecord;
import java.util.concurrent.CompletionStage;

/** Where ingest appends what clients ask for. */
public interface ControlLog extends AutoCloseable {

    /** Completes once the broker acknowledged the record (acks=all), or fails if it could not be written. */
    CompletionStage<Void> append(ControlRecord record);

    @Override
    void close();
}
