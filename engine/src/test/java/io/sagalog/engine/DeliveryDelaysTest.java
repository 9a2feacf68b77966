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
    void shouldAdmitAgainAsSoonAsABacklogHasDrained() {
        // After a broker loss the requests held up by the fault are delivered in a burst, each reporting how long it
        // waited; the last ones of the burst waited hardly at all: the queue is empty again, nothing needs refusing.
        for (long waited : new long[] {4_000, 3_200, 2_500, 1_700, 900, 150, 20}) {
            delays.record("flights", waited);
        }
        assertThat(delays.recentMillis("flights")).as("the shortest recent wait, not the mean (1,781 ms)").isEqualTo(20);
    }

    @Test
    void shouldReportAStandingQueueWhereEveryRequestWaits() {
        for (long waited : new long[] {1_900, 1_600, 1_750, 1_450}) {
            delays.record("flights", waited);
        }
        assertThat(delays.recentMillis("flights")).isEqualTo(1_450);
    }

    @Test
    void shouldKeepTheLastTwoWindowsAndForgetOlderOnes() {
        delays.record("flights", 900);
        delays.record("flights", 300);
        assertThat(delays.recentMillis("flights")).isEqualTo(300);

        clock.addAndGet(DeliveryDelays.WINDOW_MILLIS);
        delays.record("flights", 1_000);
        assertThat(delays.recentMillis("flights")).as("the previous window still counts").isEqualTo(300);

        clock.addAndGet(DeliveryDelays.WINDOW_MILLIS);
        delays.record("flights", 1_200);
        assertThat(delays.recentMillis("flights")).as("two windows on, the first is forgotten").isEqualTo(1_000);

        clock.addAndGet(DeliveryDelays.WINDOW_MILLIS * 5);
        assertThat(delays.recentMillis("flights")).as("nothing reported lately: no wait").isZero();
    }
}
