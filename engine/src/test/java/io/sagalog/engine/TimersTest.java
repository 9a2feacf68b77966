package io.sagalog.engine;

import static io.sagalog.engine.Outcome.FAILED_PERMANENT;
import static io.sagalog.engine.Outcome.FAILED_TRANSIENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Step timeouts, retry backoffs and the transaction deadline, as the decider sees them. */
class TimersTest {

    @Test
    void shouldScheduleATimeoutForEveryDispatchAndTheDeadlineAtStart() {
        Scenario s = new Scenario(Scenario.tripBooking()).request();

        assertThat(s.state.timers()).extracting(Timer::kind).containsExactlyInAnyOrder(Timer.Kind.DEADLINE,
                Timer.Kind.STEP_TIMEOUT);
        assertThat(s.state.deadline()).isEqualTo(s.now.plus(Duration.ofHours(1)));
        assertThat(s.last.timers()).hasSize(2).allMatch(TimerCommand.Schedule.class::isInstance);
    }

    @Test
    void shouldCancelTheTimeoutWhenTheResultArrives() {
        Scenario s = new Scenario(Scenario.tripBooking()).request().succeed("flights");

        assertThat(s.last.timers()).extracting(c -> c.getClass().getSimpleName() + ":" + c.timer().step())
                .containsExactly("Cancel:flights", "Schedule:hotels");
    }

    @Test
    void shouldRetryAnAttemptWithUnknownOutcomeWithTheSameIdempotencyKey() {
        Scenario s = new Scenario(Scenario.tripBooking()).request();
        String key = s.lastCommand().idempotencyKey();

        s.fire(Timer.Kind.STEP_TIMEOUT);
        assertThat(s.state.step(0).inDoubt()).isTrue();
        assertThat(s.eventTypes()).endsWith("StepTimedOut", "RecoveryDecided", "RetryScheduled");
        s.fire(Timer.Kind.BACKOFF);

        assertThat(s.lastCommand().attempt()).isEqualTo(2);
        assertThat(s.lastCommand().idempotencyKey()).isEqualTo(key);
    }

    @Test
    void shouldTakeTheLateSuccessOfATimedOutAttemptAsTheStepsSuccess() {
        Scenario s = new Scenario(Scenario.tripBooking()).request().fire(Timer.Kind.STEP_TIMEOUT)
                .fire(Timer.Kind.BACKOFF);

        s.result("flights", 1, Phase.ACTION, Outcome.SUCCEEDED);

        // Every attempt shares the idempotency key: attempt 1's effect is the step's effect, so the step is done and
        // attempt 2's timeout is gone (ignoring it could leave the booking behind if the step later rolled back).
        assertThat(s.state.step(0).status()).isEqualTo(StepStatus.SUCCEEDED);
        assertThat(s.state.timers()).noneMatch(t -> "flights".equals(t.step()));
        assertThat(s.lastCommand().step()).isEqualTo("hotels");
    }

    @Test
    void shouldCompensateAStepWhoseOutcomeIsUnknownWhenRollingBack() {
        Scenario s = new Scenario(Scenario.tripBooking()).request().succeed("flights")
                .fire(Timer.Kind.STEP_TIMEOUT).fire(Timer.Kind.BACKOFF).fail("hotels", FAILED_PERMANENT);

        // hotels timed out once, so it may have reserved a room: it is compensated too, before flights.
        assertThat(s.state.compensationPlan()).containsExactly("hotels", "flights");
    }

    @Test
    void shouldRollBackWhenTheDeadlinePassesBeforeThePivotTreatingTheRunningStepAsInDoubt() {
        Scenario s = new Scenario(Scenario.tripBooking()).request().succeed("flights");

        s.fire(Timer.Kind.DEADLINE);

        assertThat(s.state.status()).isEqualTo(TxStatus.COMPENSATING);
        assertThat(s.state.compensationPlan()).containsExactly("hotels", "flights");
        assertThat(s.state.timers()).extracting(Timer::kind).containsExactly(Timer.Kind.STEP_TIMEOUT);
        assertThat(s.lastCommand().phase()).isEqualTo(Phase.COMPENSATION);
        assertThat(s.lastCommand().step()).isEqualTo("hotels");
    }

    @Test
    void shouldWaitLongerAfterEachFailureWithinTheCap() {
        RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(100), 2.0, Duration.ofSeconds(1), 0);

        List<Long> waits = List.of(1, 2, 3, 4, 5).stream().map(a -> policy.backoff(a, 7L).toMillis()).toList();

        assertThat(waits).containsExactly(100L, 200L, 400L, 800L, 1000L);
    }

    @Test
    void shouldSpreadBackoffsByJitterDeterministically() {
        RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(1000), 1.0, Duration.ofSeconds(10), 0.2);

        List<Long> waits = java.util.stream.LongStream.range(0, 200).mapToObj(seed -> policy.backoff(1, seed).toMillis())
                .toList();

        assertThat(waits).allMatch(w -> w >= 800 && w <= 1200);
        assertThat(waits.stream().distinct().count()).as("different transactions spread out").isGreaterThan(50);
        assertThat(policy.backoff(1, 42L)).as("same facts, same wait").isEqualTo(policy.backoff(1, 42L));
    }

    @Test
    void shouldLeaveNoTimerBehindOnceFinished() {
        Scenario completed = new Scenario(Scenario.tripBooking()).request().succeed("flights").succeed("hotels")
                .succeed("payments");
        Scenario rolledBack = new Scenario(Scenario.tripBooking()).request().fail("flights", FAILED_TRANSIENT)
                .fire(Timer.Kind.BACKOFF).fail("flights", FAILED_PERMANENT);

        assertThat(completed.state.timers()).isEmpty();
        assertThat(rolledBack.state.status()).isEqualTo(TxStatus.ROLLED_BACK);
        assertThat(rolledBack.state.timers()).isEmpty();
    }

    @Test
    void shouldIgnoreAStaleTimerWithoutATrace() {
        Scenario s = new Scenario(Scenario.tripBooking()).request();
        Timer timeout = s.state.timers().stream().filter(t -> t.kind() == Timer.Kind.STEP_TIMEOUT).findFirst().orElseThrow();
        s.succeed("flights");
        int events = s.journal.size();

        s.apply(new Input.TimerFired(Scenario.TX, timeout));

        assertThat(s.journal).hasSize(events);
        assertThat(s.last.commands()).isEmpty();
    }

    @Test
    void shouldRetryATransientFailureOnlyAfterTheBackoff() {
        Scenario s = new Scenario(Scenario.tripBooking()).request().fail("flights", FAILED_TRANSIENT);
        Timer backoff = s.state.timers().stream().filter(t -> t.kind() == Timer.Kind.BACKOFF).findFirst().orElseThrow();

        assertThat(backoff.attempt()).isEqualTo(2);
        assertThat(Duration.between(s.now, backoff.due()).toMillis()).isBetween(160L, 240L);
    }
}
