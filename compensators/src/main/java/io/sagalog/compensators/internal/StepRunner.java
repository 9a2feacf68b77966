package io.sagalog.compensators.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.compensators.ActionHandler;
import io.sagalog.compensators.CompensationHandler;
import io.sagalog.compensators.Participant;
import io.sagalog.compensators.PermanentFailure;
import io.sagalog.compensators.StepCall;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.Outcome;
import io.sagalog.schemas.avro.Phase;
import io.sagalog.schemas.avro.StepRequest;
import io.sagalog.schemas.avro.StepResult;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one step request against a participant's handlers and turns what happened into a step result. */
public final class StepRunner {
    private static final Logger log = LoggerFactory.getLogger(StepRunner.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Participant participant;
    private final Clock clock;

    public StepRunner(Participant participant, Clock clock) {
        this.participant = participant;
        this.clock = clock;
    }

    public ControlRecord run(StepRequest request) {
        StepResult.Builder result = StepResult.newBuilder().setStep(request.getStep()).setAttempt(request.getAttempt())
                .setPhase(request.getPhase());
        if (request.getPhase() == Phase.ACTION && clock.millis() > request.getDeadlineMillis()) {
            // The engine stopped waiting for this attempt (it retried, or rolled back). Doing the work now could
            // leave an effect nobody will undo, so it is not run; a live retry carries a new deadline.
            return ControlRecord.newBuilder().setTxId(request.getTxId()).setAtMillis(clock.millis())
                    .setBody(result.setOutcome(Outcome.FAILED_TRANSIENT)
                            .setError("not run: the request arrived after its deadline").build())
                    .build();
        }
        try {
            StepCall call = new StepCall(request.getTxId(), request.getDefinition(), request.getStep(),
                    request.getHandler(), request.getAttempt(), request.getIdempotencyKey(), json(request.getInput()),
                    json(request.getContext()), Instant.ofEpochMilli(request.getDeadlineMillis()));
            if (request.getPhase() == Phase.ACTION) {
                Optional<ActionHandler> handler = participant.action(request.getHandler());
                if (handler.isEmpty()) {
                    result.setOutcome(Outcome.FAILED_PERMANENT).setError(missing("action", request.getHandler()));
                } else {
                    Object output = handler.get().handle(call);
                    result.setOutcome(Outcome.SUCCEEDED).setOutput(JSON.writeValueAsString(output));
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
            result.setOutcome(Outcome.FAILED_PERMANENT).setError(e.getMessage());
        } catch (Exception e) {
            log.warn("{} {} of transaction {} failed (attempt {}); reporting a transient failure",
                    request.getPhase(), request.getStep(), request.getTxId(), request.getAttempt(), e);
            result.setOutcome(Outcome.FAILED_TRANSIENT).setError(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return ControlRecord.newBuilder().setTxId(request.getTxId()).setAtMillis(clock.millis()).setBody(result.build())
                .build();
    }

    private String missing(String kind, String handler) {
        return "participant " + participant.name() + " has no " + kind + " handler named '" + handler + "'";
    }

    private static JsonNode json(String text) throws JsonProcessingException {
        return JSON.readTree(text == null || text.isEmpty() ? "null" : text);
    }
}
