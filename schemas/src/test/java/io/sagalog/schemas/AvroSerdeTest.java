package io.sagalog.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.Outcome;
import io.sagalog.schemas.avro.Phase;
import io.sagalog.schemas.avro.StepResult;
import io.sagalog.schemas.avro.TxRequested;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
    private final AvroSerde<ControlRecord> serde = AvroSerde.of(ControlRecord.class);

    @Test
    void shouldWriteSingleObjectEncodingWithFingerprintHeader() {
        byte[] bytes = serde.encode(request());

        // Avro single-object encoding: marker C3 01, then the 8-byte schema fingerprint, then the body.
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(bytes.length).isGreaterThan(10);
    }

    @Test
    void shouldRoundTripEachControlRecordKind() {
        ControlRecord result = ControlRecord.newBuilder().setTxId("t-2").setAtMillis(7L)
                .setBody(StepResult.newBuilder().setStep("hotels").setAttempt(2).setPhase(Phase.COMPENSATION)
                        .setOutcome(Outcome.FAILED_PERMANENT).setError("no rooms").build())
                .build();

        assertThat(serde.decode(serde.encode(request()))).isEqualTo(request());
        assertThat(serde.decode(serde.encode(result))).isEqualTo(result);
    }

    @Test
    void shouldExplainBytesItCannotDecode() {
        assertThatThrownBy(() -> serde.decode(new byte[] {1, 2, 3}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot decode ControlRecord");
    }

    private static ControlRecord request() {
        return ControlRecord.newBuilder().setTxId("t-1").setAtMillis(1L)
                .setBody(TxRequested.newBuilder().setDefinition("trip-booking").setInput("{\"a\":1}").build())
                .build();
    }
}
