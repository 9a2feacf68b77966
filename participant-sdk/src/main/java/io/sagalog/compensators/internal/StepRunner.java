package io.sagalog.compensators.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.compensators.ActionHandler;
import io.sagalog.compensators.CompensationHandler;
import io.sagalog.compensators.Participant;
import io.sagalog.compensators.PermanentFailure;
import io.sagalog.compensators.StepCall;
import io.sagalog.schemas.StepResults;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.Outcome;
import io.sagalog.schemas.avro.Phase;
import io.sagalog.schemas.avro.StepRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one step request against a participant's handlers and turns what happened into a step result. */
public final class StepRunner {
    private static final Logger log = LoggerFactory.getLogger(StepRunner.class);
    /** The largest output a step may report; the result must fit a Kafka record with room to spare. */
    public static final int MAX_OUTPUT_BYTES = 256 * 1024;
    /** The longest error text a step reports, in UTF-8 bytes. */
    public static final int MAX_ERROR_BYTES = 4 * 1024;

    private final Participant participant;
    private final Clock clock;
    /** Reads a request's input and context, writes an action's output. */
    private final ObjectMapper mapper;

    public StepRunner(Participant participant, Clock clock) {
        this(participant, clock, defaultObjectMapper());
    }

    public StepRunner(Participant participant, Clock clock, ObjectMapper mapper) {
        this.participant = participant;
        this.clock = clock;
        this.mapper = java.util.Objects.requireNonNull(mapper, "the ObjectMapper");
    }

    /**
     * A worker's mapper unless its caller supplies one: java.time values (an Instant, a Duration, a LocalDate) are
     * written as ISO-8601 text, as people and other languages read them. A fresh instance per call.
     */
    public static ObjectMapper defaultObjectMapper() {
        return new ObjectMapper()
                .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
                .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
    }

    public ControlRecord run(StepRequest request) {
        return run(request, -1);
    }

    /** @param queuedMillis how long the request waited before this run began (reported with the result), or -1 */
    public ControlRecord run(StepRequest request, long queuedMillis) {
        return run(request, queuedMillis, null);
    }

    /** @param traceparent the request record's {@code traceparent} header (null or malformed: a new trace) */
    public ControlRecord run(StepRequest request, long queuedMillis, String traceparent) {
        // Around the handler too: its own log lines then carry the transaction, like the SDK's.
        try (var mdc = io.sagalog.logging.TransactionMdc.of(request.getTxId(), request.getDefinition(), request.getStep())) {
            return attempt(request, queuedMillis, traceparent);
        }
    }

    private ControlRecord attempt(StepRequest request, long queuedMillis, String traceparent) {
        Draft result = new Draft(queuedMillis);
        if (request.getPhase() == Phase.ACTION && clock.millis() > request.getDeadlineMillis()) {
            // The engine stopped waiting for this attempt (it retried, or rolled back). Doing the work now could
            // leave an effect nobody will undo, so it is not run; a live retry carries a new deadline.
            // EXPIRED: not delivered, nothing happened, so the engine may retry without compensating anything.
            return result.setOutcome(Outcome.EXPIRED).setError("not run: the request arrived after its deadline")
                    .encode(request, clock.millis());
        }
        try {
            StepCall call = new StepCall(request.getTxId(), request.getDefinition(), request.getStep(),
                    request.getHandler(), request.getAttempt(), request.getIdempotencyKey(), json(request.getInput()),
                    json(request.getContext()), Instant.ofEpochMilli(request.getDeadlineMillis()),
                    io.sagalog.compensators.TraceContext.of(traceparent));
            if (request.getPhase() == Phase.ACTION) {
                Optional<ActionHandler> handler = participant.action(request.getHandler());
                if (handler.isEmpty()) {
                    result.setOutcome(Outcome.FAILED_PERMANENT).setError(missing("action", request.getHandler()));
                } else {
                    Object output = handler.get().handle(call);
                    String problem = null;
                    String json = null;
                    try {
                        json = mapper.writeValueAsString(output);
                    } catch (JsonProcessingException | RuntimeException e) {
                        problem = "the output of " + participant.name() + "." + request.getHandler()
                                + " cannot be written as JSON: " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
                    }
                    if (json != null && json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_OUTPUT_BYTES) {
                        problem = "the output of " + participant.name() + "." + request.getHandler() + " is "
                                + json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                                + " bytes as JSON, larger than the limit of " + MAX_OUTPUT_BYTES + " bytes";
                    }
                    if (problem == null) {
                        result.setOutcome(Outcome.SUCCEEDED).setOutput(json);
                    } else {
                        // The handler ran, so its effect happened, but its output cannot be reported: the outcome is
                        // unknown to the engine (the step is in doubt, and a rollback compensates it). Rejecting the
                        // step instead would leave the effect behind.
                        log.error("{} {} of transaction {}: {}", request.getPhase(), request.getStep(), request.getTxId(),
                                problem);
                        result.setOutcome(Outcome.UNKNOWN).setError(bounded(problem));
                    }
                }
            } else {
                Optional<CompensationHandler> handler = participant.compensation(request.getHandler());
                if (handler.isEmpty()) {
                    result.setOutcome(Outcome.FAILED_PERMANENT).setError(missing("compensation", request.getHandler()));
                } else {
                    handler.get().compensate(call);
                    result.setOutcome(Outcome.SUCCEEDED);
                }
            }
        } catch (PermanentFailure e) {
            result.setOutcome(Outcome.FAILED_PERMANENT).setError(bounded(e.getMessage()));
        } catch (VirtualMachineError e) {
            if (!(e instanceof StackOverflowError)) {
                throw e; // out of memory and the like: the process cannot go on, the worker's supervisor shows it
            }
            // A handler that recursed too deep: the stack is unwound now, so only this step fails.
            log.warn("{} {} of transaction {} overflowed the stack (attempt {}); reporting a transient failure",
                    request.getPhase(), request.getStep(), request.getTxId(), request.getAttempt());
            result.setOutcome(Outcome.FAILED_TRANSIENT).setError("StackOverflowError in the handler");
        } catch (Exception | Error e) {
            // An Error from a handler (a missing class, an assertion) fails this step, not the worker.
            log.warn("{} {} of transaction {} failed (attempt {}); reporting a transient failure",
                    request.getPhase(), request.getStep(), request.getTxId(), request.getAttempt(), e);
            result.setOutcome(Outcome.FAILED_TRANSIENT).setError(bounded(e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        return result.encode(request, clock.millis());
    }

    /** The result as it is worked out; encoded at the wire boundary ({@link StepResults}). */
    private static final class Draft {
        private final long queuedMillis;
        private Outcome outcome;
        private String output;
        private String error;

        Draft(long queuedMillis) {
            this.queuedMillis = queuedMillis;
        }

        Draft setOutcome(Outcome outcome) {
            this.outcome = outcome;
            return this;
        }

        Draft setOutput(String output) {
            this.output = output;
            return this;
        }

        Draft setError(String error) {
            this.error = error;
            return this;
        }

        ControlRecord encode(StepRequest request, long atMillis) {
            return StepResults.encode(request.getTxId(), request.getStep(), request.getAttempt(), request.getPhase(),
                    outcome, output, error, queuedMillis, atMillis);
        }
    }

    /** The text cut to at most {@link #MAX_ERROR_BYTES} bytes of UTF-8, marked when cut. */
    static String bounded(String text) {
        if (text == null) {
            return null;
        }
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length <= MAX_ERROR_BYTES) {
            return text;
        }
        String marker = "... (cut to " + MAX_ERROR_BYTES + " bytes)";
        int keep = MAX_ERROR_BYTES - marker.length();
        // Decode the first bytes leniently; a character cut in half is dropped.
        java.nio.charset.CharsetDecoder decoder = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.IGNORE);
        try {
            return decoder.decode(java.nio.ByteBuffer.wrap(bytes, 0, keep)) + marker;
        } catch (java.nio.charset.CharacterCodingException e) {
            return text.substring(0, Math.min(text.length(), keep / 4)) + marker;
        }
    }

    private static String firstLine(String text) {
        return text == null ? "" : text.lines().findFirst().orElse("");
    }

    private String missing(String kind, String handler) {
        return "participant " + participant.name() + " has no " + kind + " handler named '" + handler + "'";
    }

    private JsonNode json(String text) throws JsonProcessingException {
        return mapper.readTree(text == null || text.isEmpty() ? "null" : text);
    }
}
