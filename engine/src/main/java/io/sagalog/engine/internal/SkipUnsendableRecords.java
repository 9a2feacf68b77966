package io.sagalog.engine.internal;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record that can never be sent (too large for its topic, unserializable) is logged and skipped, so no single
 * record can stop a partition for good; every other production error fails the task as usual (Streams retries
 * what is retriable and replaces the thread). What a skipped record meant is still safe: a step request that never
 * left times out and is retried or rolled back; the decider bounds requests before they get this far.
 */
public final class SkipUnsendableRecords implements ProductionExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(SkipUnsendableRecords.class);

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (exception instanceof RecordTooLargeException || exception instanceof InvalidRecordException) {
            log.error("skipping a record for {} that Kafka will never take ({} bytes, processor {}): {}", record.topic(),
                    record.value() == null ? 0 : record.value().length, context.processorNodeId(), exception.toString());
            return Response.resume();
        }
        return Response.fail();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                             SerializationExceptionOrigin origin) {
        log.error("skipping a record for {} that cannot be serialized ({}): {}", record.topic(), origin,
                exception.toString());
        return Response.resume();
    }

    @Override
    public void configure(Map<String, ?> configs) {}
}
