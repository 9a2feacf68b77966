package io.sagalog.compensators;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ParticipantTest {
    @Test
    void shouldRefuseAMisconfiguredParticipantWhenBuilt() {
        assertThatThrownBy(() -> Participant.named("hotels").build())
                .hasMessage("participant hotels has no action handler");
        assertThatThrownBy(() -> Participant.named("hotels").action("reserve", c -> null).action("reserve", c -> null))
                .hasMessage("participant hotels already has an action reserve");
        assertThatThrownBy(() -> Participant.named("my hotels"))
                .hasMessageContaining("participant name 'my hotels' must be");
    }
}
