package io.sagalog.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A definition may name a participant that is not registered yet: its transactions wait, parked, and then go on. */
class UnregisteredParticipantTest {
    private static final String TX = Scenario.TX;
    private final Set<String> registered = new HashSet<>(Set.of("flights"));
    private final Decider decider = new Decider(Registrations.of(
            () -> DefinitionCatalog.of(List.of(Scenario.tripBooking())), registered::contains));
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private TxState state;
    private Decision last;

    @Test
    void shouldParkWithAClearReasonAndResumeOnceTheParticipantRegisters() {
        apply(new Input.TxRequested(TX, "trip-booking", "{}", null));
        apply(new Input.StepResult(TX, "flights", 1, Phase.ACTION, Outcome.SUCCEEDED, "{}", null));

        assertThat(state.status()).isEqualTo(TxStatus.PARKED);
        assertThat(state.reason()).contains("participant 'hotels'").contains("not registered")
                .contains("continues once it is");
        assertThat(last.commands()).isEmpty();
        assertThat(last.journal()).extracting(e -> e.event().type()).contains("TxParked");

        fireRecheck();
        assertThat(state.status()).as("still not registered").isEqualTo(TxStatus.PARKED);
        assertThat(last.journal()).as("looking again leaves no noise in the history").isEmpty();

        registered.add("hotels");
        fireRecheck();

        assertThat(state.status()).isEqualTo(TxStatus.RUNNING);
        assertThat(state.reason()).isNull();
        assertThat(last.commands()).singleElement().satisfies(c -> {
            assertThat(c.participant()).isEqualTo("hotels");
            assertThat(c.attempt()).isEqualTo(1);
        });
        assertThat(state.timers()).extracting(Timer::kind).contains(Timer.Kind.DEADLINE, Timer.Kind.STEP_TIMEOUT);
    }

    private void fireRecheck() {
        Timer recheck = state.timers().stream().filter(t -> t.kind() == Timer.Kind.BACKOFF).findFirst().orElseThrow();
        now = recheck.due();
        apply(new Input.TimerFired(TX, recheck));
    }

    private void apply(Input input) {
        last = decider.decide(state, input, now);
        state = last.state();
    }
}
