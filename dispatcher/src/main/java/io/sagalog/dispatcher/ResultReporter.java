package io.sagalog.dispatcher;

import io.sagalog.engine.Input;
import io.sagalog.engine.Outcome;
import io.sagalog.engine.Phase;
import io.sagalog.engine.Wire;
import io.sagalog.schemas.KafkaClients;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.StepRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Appends participants' answers to the control log as step results ({@code acks=all}, idempotent). {@code send} can
 * block (metadata, a full buffer), and answers complete on the lanes' event loop: they are handed to one thread of
 * its own, which keeps their order (an action's answer is sent before its compensation's).
 */
final class ResultReporter implements AutoCloseable {
    private final KafkaProducer<String, ControlRecord> producer;
    private final String control;
    private final Clock clock = Clock.systemUTC();
    private final ExecutorService reporter = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sagalog-http-dispatcher-reporter");
        t.setDaemon(true);
        return t;
    });

    ResultReporter(KafkaClients kafka, String controlTopic) {
        this.control = controlTopic;
        Properties p = kafka.properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        // A send that cannot go out fails after this; the answer is then not recorded and the attempt times out.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), Topics.CONTROL.serde().serializer());
    }

    /**
     * Completes once the answer is in the control log.
     *
     * @param queuedMillis how long the request waited before its call started; null: unknown
     * @param trace the attempt's trace context, sent along as the result's {@code traceparent} header; null: none
     */
    CompletableFuture<Void> report(StepRequest request, ParticipantLane.Answer answer, Long queuedMillis,
                                   io.sagalog.tracing.TraceParent trace) {
        ControlRecord result = Wire.encode(new Input.StepResult(request.getTxId(), request.getStep(),
                request.getAttempt(), Phase.valueOf(request.getPhase().name()),
                Outcome.valueOf(answer.outcome().name()), answer.output(), answer.error(),
                queuedMillis == null ? -1 : queuedMillis), clock.millis());
        CompletableFuture<Void> acked = new CompletableFuture<>();
        try {
            reporter.execute(() -> {
                try {
                    producer.send(new ProducerRecord<>(control, null, request.getTxId(), result,
                            trace == null ? null : trace.asHeaders()), (meta, error) -> {
                        if (error == null) {
                            acked.complete(null);
                        } else {
                            acked.completeExceptionally(error);
                        }
                    });
                } catch (RuntimeException e) {
                    acked.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException closing) {
            acked.completeExceptionally(closing);
        }
        return acked;
    }

    /** Sends what was handed over, then closes the producer. */
    @Override
    public void close() {
        reporter.shutdown();
        try {
            reporter.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
