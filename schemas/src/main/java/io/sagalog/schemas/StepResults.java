package io.sagalog.schemas;

import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.Outcome;
import io.sagalog.schemas.avro.ParticipantRecord;
import io.sagalog.schemas.avro.Phase;
import io.sagalog.schemas.avro.StepResult;

/**
 * Builds the records a participant writes: a step result (on the control log) and its registration. The one place
 * that builds them: the engine's codec calls it for its own step results, and the Java participant SDK, which does
 * not depend on the engine, calls it directly.
 */
public final class StepResults {
    private StepResults() {}

    /**
     * A participant's answer to one step request, as the control record that carries it.
     *
     * @param queuedMillis how long the request waited before its delivery began, or -1 when not measured
     */
    public static ControlRecord encode(String txId, String step, int attempt, Phase phase, Outcome outcome,
                                       String output, String error, long queuedMillis, long atMillis) {
        return ControlRecord.newBuilder().setTxId(txId).setAtMillis(atMillis)
                .setBody(StepResult.newBuilder().setStep(step).setAttempt(attempt).setPhase(phase).setOutcome(outcome)
                        .setOutput(output).setError(error).setQueuedMillis(queuedMillis < 0 ? null : queuedMillis)
                        .build())
                .build();
    }

    /** A participant's registration: {@code transport} {@code kafka} (a Java SDK worker) or {@code http}. */
    public static ParticipantRecord participant(String name, String transport, long atMillis) {
        return ParticipantRecord.newBuilder().setName(name).setTransport(transport).setRegisteredAtMillis(atMillis)
                .build();
    }
}
