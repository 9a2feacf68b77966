package io.sagalog.ingest;

/** An append handed to Kafka while Kafka acknowledged nothing for a while: it may or may not have been recorded. */
public final class KafkaStalledException extends RuntimeException {
    public KafkaStalledException(String message) {
        super(message, null, false, false);
    }
}
