package io.sagalog.engine;

import io.sagalog.engine.internal.WireCodec;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.ParticipantRecord;

/**
 * The wire boundary for everything above the engine: ingest, the console, the dispatcher and the Java SDK say what
 * they append as an engine {@link Input} (or a participant registration) and get the Avro record to send; no module
 * above the engine builds an Avro record itself ({@code WireBoundaryTest} checks the imports), so the wire format
 * changes in one place. Step results and registrations are built by {@link io.sagalog.schemas.StepResults}, which the
 * Java participant SDK calls directly (it does not depend on the engine).
 */
public final class Wire {
    private Wire() {}

    /** The control record carrying the input (a request, a step result, an operator command, a timer). */
    public static ControlRecord encode(Input input, long atMillis) {
        return WireCodec.encode(input, atMillis);
    }

    /** The control record's input, as the engine reads it. */
    public static Input decode(ControlRecord record) {
        return WireCodec.input(record);
    }

    /** A participant's registration: {@code transport} {@code kafka} (a Java SDK worker) or {@code http}. */
    public static ParticipantRecord participant(String name, String transport, long atMillis) {
        return io.sagalog.schemas.StepResults.participant(name, transport, atMillis);
    }
}
