package io.sagalog.ingest;

/** An append that certainly did not reach the log (refused before it was handed to Kafka): a retry cannot duplicate it. */
public final class NotRecordedException extends RuntimeException {
    public NotRecordedException(String message) {
        super(message, null, false, false);
    }

    public NotRecordedException(String message, Throwable cause) {
        super(message, cause);
    }
}
