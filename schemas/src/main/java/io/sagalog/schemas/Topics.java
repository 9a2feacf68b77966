package io.sagalog.schemas;

import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.DefinitionRecord;
import io.sagalog.schemas.avro.JournalRecord;
import io.sagalog.schemas.avro.ParticipantRecord;
import io.sagalog.schemas.avro.StepRequest;

/**
 * The topics of Sagalog's wire protocol, each with its serde, as the default deployment names them ({@code sagalog.};
 * {@link TopicNames} names those of a deployment with another {@code --topic-prefix}).
 */
public final class Topics {
    private Topics() {}

    /** Everything the engine must react to: requests, step results, operator commands. Key: txId. */
    public static final Topic<ControlRecord> CONTROL = new Topic<>("sagalog.control", AvroSerde.of(ControlRecord.class));

    /** Every transition the engine made, one record per decision. Key: txId. */
    public static final Topic<JournalRecord> JOURNAL = new Topic<>("sagalog.journal", AvroSerde.of(JournalRecord.class));

    /** Every version of every definition, compacted. Key: {@code <name>@<version>}. */
    public static final Topic<DefinitionRecord> DEFINITIONS =
            new Topic<>("sagalog.definitions", AvroSerde.of(DefinitionRecord.class));

    /** How to reach each participant, compacted. Key: participant name. */
    public static final Topic<ParticipantRecord> PARTICIPANTS =
            new Topic<>("sagalog.participants", AvroSerde.of(ParticipantRecord.class));

    private static final String STEPS_PREFIX = "sagalog.steps.";
    private static final AvroSerde<StepRequest> STEP_REQUESTS = AvroSerde.of(StepRequest.class);

    /** Action and compensation requests for one participant. Key: txId. */
    public static Topic<StepRequest> steps(String participant) {
        return new Topic<>(STEPS_PREFIX + participant, STEP_REQUESTS);
    }
}
