package io.sagalog.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeliveryDelaysTest {
    private static final Definition TRIP = Scenario.tripBooking();
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final DeliveryDelays delays = new DeliveryDelays(() -> DefinitionCatalog.of(List.of(TRIP)), clock::get);

    @Test
    void shouldAttributeAResultsWaitToTheParticipantOfItsStep() {
        Scenario s = new Scenario(TRIP).request();

        delays.decided(s.state, new Input.StepResult(Scenario.TX, "flights", 1, Phase.ACTION, Outcome.SUCCEEDED, "{}",
                null, 1_200), null, Instant.EPOCH);

        assertThat(delays.recentMillis("flights")).isEqualTo(1_200);
        assertThat(delays.recentMillis("hotels")).isZero();
        assertThat(delays.worst(List.of("hotels", "flights"))).isEqualTo(Map.entry("flights", 1_200L));
    }

    @Test
    void shouldIgnoreResultsThatDidNotMeasureTheirWait() {
        Scenario s = new Scenario(TRIP).request();

        delays.decided(s.state, new Input.StepResult(Scenario.TX, "flights", 1, Phase.ACTION, Outcome.SUCCEEDED, "{}",
                null), null, Instant.EPOCH);

        assertThat(delays.recent()).isEmpty();
        assertThat(delays.worst(List.of("flights"))).isNull();
    }

    @Test
    void shouldAverageTheLastTwoWindowsAndForgetOlderOnes() {
        delays.record("flights", 900);
        delays.record("flights", 300);
        assertThat(delays.recentMillis("flights")).as("the mean, not the latest").isEqualTo(600);

        clock.addAndGet(DeliveryDelays.WINDOW_MILLIS);
        delays.record("flights", 0);
        assertThat(delays.recentMillis("flights")).as("the previous window still counts").isEqualTo(400);

        clock.addAndGet(DeliveryDelays.WINDOW_MILLIS);
        delays.record("flights", 100);
        assertThat(delays.recentMillis("flights")).as("two windows on, the first is forgotten").isEqualTo(50);

        clock.addAndGet(DeliveryDelays.WINDOW_MILLIS * 5);
        assertThat(delays.recentMillis("flights")).as("nothing reported lately: no wait").isZero();
    }
}
