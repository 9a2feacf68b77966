package io.sagalog.compensators.internal;

import io.sagalog.schemas.StepResults;
import io.sagalog.schemas.TopicNames;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.Outcome;
import io.sagalog.schemas.avro.ParticipantRecord;
import io.sagalog.schemas.avro.StepRequest;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A worker's producer: appends step results to the control log, and the participant's registration. */
public final class ResultLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ResultLog.class);

    private final String participant;
    private final TopicNames names;
    private final KafkaProducer<String, byte[]> producer;

    public ResultLog(String participant, TopicNames names, Properties producerConfig) {
        this.participant = participant;
        this.names = names;
        this.producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer());
    }

    public Future<RecordMetadata> append(StepRequest request, ControlRecord result) {
        return append(request, result, null);
    }

    /** @param trace the attempt's trace context, sent as the result's {@code traceparent} header; null: none */
    public Future<RecordMetadata> append(StepRequest request, ControlRecord result, io.sagalog.tracing.TraceParent trace) {
        return producer.send(new ProducerRecord<>(names.control().name(), null, request.getTxId(),
                Topics.CONTROL.serde().encode(result), trace == null ? null : trace.asHeaders()));
    }

    /**
     * Waits for a result's ack. A result Kafka refuses for its size (its request is the same after every restart)
     * is replaced by a failure of the step, so it cannot stop the worker again and again.
     */
    public void awaitAck(StepRequest request, Future<RecordMetadata> sent) throws Exception {
        try {
            sent.get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof RecordTooLargeException)) {
                throw e;
            }
            try (var mdc = io.sagalog.logging.TransactionMdc.of(request.getTxId(), request.getDefinition(),
                    request.getStep())) {
                log.error("participant {}: the result of {} {} of transaction {} is too large for Kafka ({}); reporting "
                        + "a failure instead", participant, request.getPhase(), request.getStep(), request.getTxId(),
                        e.getCause().getMessage());
            }
            // The handler ran: its effect may stand, so the outcome is unknown (in doubt), not a rejection.
            ControlRecord failure = StepResults.encode(request.getTxId(), request.getStep(), request.getAttempt(),
                    request.getPhase(), Outcome.UNKNOWN, null,
                    "the step's result is too large for Kafka: " + e.getCause().getMessage(), -1,
                    System.currentTimeMillis());
            append(request, failure).get();
        }
    }

    /**
     * Java SDK participants register themselves (transport kafka), so the engine knows they exist.
     *
     * @return whether the registration was acked; if not, the caller tries again with its next consumer
     */
    public boolean register() throws InterruptedException {
        ParticipantRecord record = StepResults.participant(participant, "kafka", System.currentTimeMillis());
        try {
            producer.send(new ProducerRecord<>(names.participants().name(), participant,
                    Topics.PARTICIPANTS.serde().encode(record))).get(30, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            log.warn("participant {} could not register itself in {} ({}); the engine parks its steps until it is "
                    + "registered", participant, names.participants().name(), e.toString());
            return false;
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
