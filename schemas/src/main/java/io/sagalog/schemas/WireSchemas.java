package io.sagalog.schemas;

import io.sagalog.schemas.avro.CallbackSecretRecord;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.DefinitionRecord;
import io.sagalog.schemas.avro.JournalRecord;
import io.sagalog.schemas.avro.ParticipantRecord;
import io.sagalog.schemas.avro.StepRequest;
import io.sagalog.schemas.avro.TxStateRecord;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/** The top-level records Sagalog writes to Kafka. Each one has a schema history (see {@link SchemaHistory}). */
public final class WireSchemas {
    private WireSchemas() {}

    /** Every record type that is written on its own to a topic or a changelog. */
    public static final List<Class<? extends SpecificRecord>> TOP_LEVEL =
            List.of(ControlRecord.class, StepRequest.class, JournalRecord.class, TxStateRecord.class,
                    DefinitionRecord.class, ParticipantRecord.class, CallbackSecretRecord.class);
}
