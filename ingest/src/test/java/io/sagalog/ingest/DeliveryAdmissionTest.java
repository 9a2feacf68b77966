package io.sagalog.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.Definition;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.DefinitionParser;
import io.sagalog.engine.DeliveryDelays;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryAdmissionTest {
    private final DeliveryDelays delays = new DeliveryDelays(() -> DefinitionCatalog.of(List.of()));
    private final DeliveryAdmission admission = new DeliveryAdmission(delays, Duration.ofSeconds(1));

    private static Definition definition(String name, String participant, String timeout) throws Exception {
        return DefinitionParser.parse("{\"name\":\"" + name + "\",\"steps\":[{\"name\":\"a\",\"participant\":\""
                + participant + "\",\"action\":\"do\",\"compensation\":\"undo\",\"timeout\":\"" + timeout + "\"}]}", 1);
    }

    @Test
    void shouldRefuseOnlyDefinitionsWhoseParticipantsCannotKeepUp() throws Exception {
        delays.record("slow", 1_500);
        delays.record("fast", 20);

        assertThat(admission.refusal(definition("uses-slow", "slow", "10s")))
                .contains("participant 'slow'").contains("1500 ms").contains("nothing was recorded");
        assertThat(admission.refusal(definition("uses-fast", "fast", "10s"))).isNull();
        assertThat(admission.refusal()).as("without a definition nothing is known to wait").isNull();
    }

    @Test
    void shouldAllowAtMostAQuarterOfTheShortestStepTimeout() throws Exception {
        delays.record("p", 600);

        assertThat(admission.refusal(definition("long-timeout", "p", "10s"))).as("600 ms is within 1 s").isNull();
        assertThat(admission.refusal(definition("short-timeout", "p", "2s"))).as("a quarter of 2 s is 500 ms")
                .contains("500 ms allowed");
    }

    @Test
    void shouldAdmitEverythingWhenTurnedOff() throws Exception {
        delays.record("slow", 60_000);

        assertThat(new DeliveryAdmission(delays, Duration.ZERO).refusal(definition("uses-slow", "slow", "10s"))).isNull();
    }

    @Test
    void shouldNeverBoundBelowKafkasOwnRoundTrip() throws Exception {
        delays.record("p", 40);

        assertThat(admission.refusal(definition("tiny-timeout", "p", "10ms"))).isNull();
    }

    @Test
    void shouldAnswerTheFirstRefusalOfSeveralChecks() throws Exception {
        delays.record("slow", 5_000);
        Admission both = Admission.all(() -> null, admission);

        assertThat(both.refusal(definition("uses-slow", "slow", "10s"))).contains("'slow'");
        assertThat(Admission.all(() -> "engine lags", admission).refusal(definition("x", "slow", "10s")))
                .isEqualTo("engine lags");
    }
}
