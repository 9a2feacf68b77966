package io.sagalog.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicNamesTest {

    @Test
    void shouldKeepTheContractNamesWithTheDefaultPrefix() {
        TopicNames names = TopicNames.of(null);

        assertThat(names.control()).isEqualTo(Topics.CONTROL);
        assertThat(names.journal().name()).isEqualTo("sagalog.journal");
        assertThat(names.definitions().name()).isEqualTo("sagalog.definitions");
        assertThat(names.participants().name()).isEqualTo("sagalog.participants");
        assertThat(names.steps("flights")).isEqualTo(Topics.steps("flights"));
        assertThat(names.participantGroup("flights")).isEqualTo("sagalog-participant-flights");
    }

    @Test
    void shouldNameEveryTopicAndGroupWithAnotherPrefix() {
        TopicNames names = TopicNames.of("acme.");

        assertThat(names.control().name()).isEqualTo("acme.control");
        assertThat(names.steps("flights").name()).isEqualTo("acme.steps.flights");
        assertThat(names.participantGroup("flights")).isEqualTo("acme-participant-flights");
        assertThatThrownBy(() -> TopicNames.of("no spaces")).hasMessageContaining("topic prefix");
    }
}
