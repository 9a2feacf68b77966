package io.sagalog.engine;

import static io.sagalog.engine.Outcome.FAILED_PERMANENT;
import static io.sagalog.engine.Outcome.FAILED_TRANSIENT;
import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.JournalEvent.RecoveryDecided;
import io.sagalog.engine.JournalEvent.ResultIgnored;
import io.sagalog.engine.JournalEvent.TransitionRejected;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeciderTest {

    @Test
    void shouldRunEveryStepInOrderAndComplete() {
        Scenario s = new Scenario(Scenario.tripBooking()).request().succeed("flights").succeed("hotels").succeed("payments");

        assertThat(s.state.status()).isEqualTo(TxStatus.COMPLETED);
        assertThat(s.dispatched()).containsExactly("flights.reserve", "hotels.reserve", "payments.charge");
        assertThat(s.eventTypes()).containsExactly("TxStarted", "StepDispatched", "StepSucceeded", "StepDispatched",
                "StepSucceeded", "StepDispatched", "StepSucceeded", "TxCompleted");
        assertThat(s.state.steps()).extracting(StepState::status).containsOnly(StepStatus.SUCCEEDED);
    }

    @ParameterizedTest(name = "failure at {0} compensates {1}")
    @CsvSource(delimiter = ';', value = {
            "flights;  ''",
            "hotels;   flights.cancel",
            "payments; hotels.cancel,flights.cancel"})
    void shouldCompensateExactlyTheCompletedStepsNewestFirst(String failing, String expectedCompensations) {
        Scenario s = new Scenario(Scenario.tripBooking()).request();
        for (String step : List.of("flights", "hotels", "payments")) {
            if (step.equals(failing)) {
                s.fail(step, FAILED_PERMANENT);
                break;
            }
            s.succeed(step);
        }
        List<String> expected = expectedCompensations.isEmpty() ? List.of() : List.of(expectedCompensations.split(","));
        assertThat(s.state.compensationPlan()).containsExactlyElementsOf(
                expected.stream().map(c -> c.substring(0, c.indexOf('.'))).toList());

        // Answer each compensation as it comes; each must be the next one of the plan.
        while (s.state.status() == TxStatus.COMPENSATING) {
            s.compensated(s.lastCommand().step());
        }

        assertThat(s.state.status()).isEqualTo(TxStatus.ROLLED_BACK);
        List<String> compensations = s.commands.stream().filter(c -> c.phase() == Phase.COMPENSATION)
                .map(c -> c.participant() + "." + c.handler()).toList();
        assertThat(compensations).containsExactlyElementsOf(expected);
        assertThat(s.eventTypes()).endsWith("TxRolledBack");
        assertThat(s.journal).anySatisfy(e -> assertThat(e.event()).isInstanceOfSatisfying(RecoveryDecided.class,
                d -> assertThat(d.rule()).isEqualTo("permanent-failure-before-pivot")));
    }

    @Test
    void shouldRetryATransientFailureWithTheSameIdempotencyKey() {
        Scenario s = new Scenario(Scenario.tripBooking()).request().succeed("flights").fail("hotels", FAILED_TRANSIENT);
        assertThat(s.state.step(1).status()).isEqualTo(StepStatus.RETRY_WAIT);
        assertThat(s.last.commands()).as("nothing is sent before the backoff is over").isEmpty();

        s.fire(Timer.Kind.BACKOFF);

        assertThat(s.state.status()).isEqualTo(TxStatus.RUNNING);
        StepCommand first = s.commands.get(1);
        StepCommand retry = s.lastCommand();
        assertThat(retry.step()).isEqualTo("hotels");
        assertThat(retry.attempt()).isEqualTo(2);
        assertThat(retry.idempotencyKey()).isEqualTo(first.idempotencyKey()).isEqualTo(Scenario.TX + ":hotels:action");
        assertThat(s.journal).anySatisfy(e -> assertThat(e.event()).isInstanceOfSatisfying(RecoveryDecided.class,
                d -> {
                    assertThat(d.direction()).isEqualTo(JournalEvent.Direction.FORWARD);
                    assertThat(d.rule()).isEqualTo("transient-failure-retry");
                    assertThat(d.facts()).containsEntry("attempt", "1").containsEntry("maxAttempts", "3");
                }));
    }

    @Test
    void shouldRollBackWhenTransientFailuresExhaustTheAttempts() {
        Scenario s = new Scenario(Scenario.tripBooking()).request().succeed("flights")
                .fail("hotels", FAILED_TRANSIENT).fire(Timer.Kind.BACKOFF).fail("hotels", FAILED_TRANSIENT)
                .fire(Timer.Kind.BACKOFF).fail("hotels", FAILED_TRANSIENT);

        assertThat(s.state.status()).isEqualTo(TxStatus.COMPENSATING);
        assertThat(s.lastCommand().handler()).isEqualTo("cancel");
        assertThat(s.lastCommand().step()).isEqualTo("flights");
        assertThat(s.journal.stream().map(JournalEntry::event).filter(RecoveryDecided.class::isInstance)
                .map(e -> ((RecoveryDecided) e).rule()).toList())
                .containsExactly("transient-failure-retry", "transient-failure-retry", "attempts-exhausted-before-pivot");
    }

    @Test
    void shouldRecordALateFailureOfAnOlderAttemptAndChangeNothing() {
        Scenario s = new Scenario(Scenario.tripBooking()).request().fail("flights", FAILED_TRANSIENT)
                .fire(Timer.Kind.BACKOFF);
        TxState before = s.state;

        s.result("flights", 1, Phase.ACTION, Outcome.FAILED_PERMANENT);

        assertThat(s.last.commands()).isEmpty();
        assertThat(s.last.journal()).singleElement().extracting(JournalEntry::event).isInstanceOf(ResultIgnored.class);
        assertThat(s.state.steps()).isEqualTo(before.steps());
        assertThat(s.state.status()).isEqualTo(TxStatus.RUNNING);
    }

    @Test
    void shouldRecordADuplicateResultAndChangeNothing() {
        Scenario s = new Scenario(Scenario.tripBooking()).request().succeed("flights");
        List<StepState> before = s.state.steps();

        s.result("flights", 1, Phase.ACTION, Outcome.SUCCEEDED);

        assertThat(s.last.commands()).isEmpty();
        assertThat(s.state.steps()).isEqualTo(before);
        assertThat(s.eventTypes()).endsWith("ResultIgnored");
    }

    @Test
    void shouldNotMoveForwardOnceRollbackBegan() {
        Scenario s = new Scenario(Scenario.tripBooking()).request().succeed("flights").fail("hotels", FAILED_PERMANENT);

        // A success of the failed step arriving late must not restart the forward path.
        s.result("hotels", 1, Phase.ACTION, Outcome.SUCCEEDED);

        assertThat(s.state.status()).isEqualTo(TxStatus.COMPENSATING);
        assertThat(s.last.commands()).isEmpty();
    }

    @Test
    void shouldIgnoreARepeatedRequestForAnExistingTransaction() {
        Scenario s = new Scenario(Scenario.tripBooking()).request();

        s.request();

        assertThat(s.last.commands()).isEmpty();
        assertThat(s.eventTypes()).endsWith("RequestIgnored");
        assertThat(s.dispatched()).containsExactly("flights.reserve");
    }

    @Test
    void shouldReportAnUndeclaredTransitionAndParkInsteadOfSwallowingIt() {
        Scenario s = new Scenario(Scenario.tripBooking()).request();

        // A compensation result while RUNNING: no row of the table allows it.
        s.result("flights", 1, Phase.COMPENSATION, Outcome.SUCCEEDED);

        assertThat(s.state.status()).isEqualTo(TxStatus.PARKED);
        assertThat(s.state.reason()).contains("undeclared transition").contains("COMPENSATION_SUCCEEDED").contains("RUNNING");
        assertThat(s.last.journal()).extracting(e -> e.event().type()).containsExactly("TransitionRejected", "TxParked");
        assertThat(s.last.journal().get(0).event()).isInstanceOfSatisfying(TransitionRejected.class,
                r -> assertThat(r.from()).isEqualTo(TxStatus.RUNNING));
    }

    @Test
    void shouldParkWhenACompensationIsRejectedAsOftenAsItsStepAllows() {
        Scenario s = new Scenario(Scenario.tripBooking()).request().succeed("flights").fail("hotels", FAILED_PERMANENT)
                .compensationRejected("flights").fire(Timer.Kind.BACKOFF).compensationRejected("flights")
                .fire(Timer.Kind.BACKOFF).compensationRejected("flights");

        assertThat(s.state.status()).isEqualTo(TxStatus.PARKED);
        assertThat(s.state.reason()).contains("compensation of flights failed 3 times");
        assertThat(s.eventTypes()).endsWith("RecoveryDecided", "TxParked");
    }

    @Test
    void shouldKeepRetryingACompensationThatFailsTransientlyLongerThanItsStepsAttemptsBeforeParking() {
        Scenario s = new Scenario(Scenario.tripBooking()).request().succeed("flights").fail("hotels", FAILED_PERMANENT);
        for (int i = 1; i < RecoveryRules.COMPENSATION_ATTEMPTS_WHEN_TRANSIENT; i++) {
            s.compensationFails("flights").fire(Timer.Kind.BACKOFF);
            assertThat(s.state.status()).as("after %d transient failures", i).isEqualTo(TxStatus.COMPENSATING);
        }
        // An overloaded or restarting participant slows the rollback down; only a lasting failure parks it.
        s.compensationFails("flights");

        assertThat(s.state.status()).isEqualTo(TxStatus.PARKED);
        assertThat(s.rules()).last().isEqualTo("compensation-exhausted");
    }

    @Test
    void shouldRecordButNotStoreResultsForAnUnknownTransaction() {
        Scenario s = new Scenario(Scenario.tripBooking());

        s.apply(new Input.StepResult(Scenario.TX, "flights", 1, Phase.ACTION, Outcome.SUCCEEDED, "{}", null));

        assertThat(s.last.state()).isNull();
        assertThat(s.last.journal()).singleElement().extracting(JournalEntry::event).isInstanceOf(ResultIgnored.class);
    }

    @Test
    void shouldParkARequestForAnUnknownDefinitionWithAClearReason() {
        Scenario s = new Scenario(Scenario.tripBooking());

        s.apply(new Input.TxRequested(Scenario.TX, "no-such-saga", "{}", null));

        assertThat(s.state.status()).isEqualTo(TxStatus.PARKED);
        assertThat(s.state.reason()).contains("'no-such-saga' is not known");
    }

    @Test
    void shouldNumberJournalEventsWithoutGapsAndStampThemWithTheGivenTime() {
        Scenario s = new Scenario(Scenario.tripBooking()).request().after(Duration.ofSeconds(1)).succeed("flights");

        assertThat(s.journal).extracting(JournalEntry::seq).containsExactlyElementsOf(
                LongStream.range(0, s.journal.size()).boxed().toList());
        assertThat(s.journal.get(0).at()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(s.journal.get(s.journal.size() - 1).at()).isEqualTo("2026-01-01T00:00:01Z");
        assertThat(s.state.nextSeq()).isEqualTo(s.journal.size());
    }

    @Test
    void shouldPassOutputsOfEarlierStepsAsContext() {
        Scenario s = new Scenario(Scenario.tripBooking()).request().succeed("flights").succeed("hotels");

        assertThat(s.lastCommand().context()).isEqualTo("{\"flights\":{\"ref\":\"flights-1\"},\"hotels\":{\"ref\":\"hotels-1\"}}");
        assertThat(s.lastCommand().input()).isEqualTo("{\"who\":\"ada\"}");
        assertThat(s.lastCommand().deadline()).isEqualTo(s.now.plusSeconds(30));
    }

    @Test
    void shouldBeAPureFunctionOfStateInputAndTime() {
        Scenario a = new Scenario(Scenario.tripBooking()).request().succeed("flights").fail("hotels", FAILED_PERMANENT);
        Scenario b = new Scenario(Scenario.tripBooking()).request().succeed("flights").fail("hotels", FAILED_PERMANENT);

        assertThat(a.state).isEqualTo(b.state);
        assertThat(a.journal).isEqualTo(b.journal);
        assertThat(a.commands).isEqualTo(b.commands);
    }

    @Test
    void shouldAllowOnlyTheStatusesItsRowDeclares() {
        for (TransitionTable.Row row : TransitionTable.STANDARD.rows()) {
            assertThat(row.to()).as(row.name()).isNotEmpty();
            if (row.from().isFinal() && !row.name().equals("late-success")) {
                assertThat(row.to()).as("a finished transaction never changes status (%s)", row.name())
                        .containsExactly(row.from());
            }
        }
        // The one way out of a final status: a ROLLED_BACK transaction whose step turns out to have taken effect
        // after all (a late success) rolls back again, or parks when that step cannot be undone.
        assertThat(TransitionTable.STANDARD.find(TxStatus.ROLLED_BACK, Trigger.ACTION_SUCCEEDED).orElseThrow().to())
                .containsExactlyInAnyOrder(TxStatus.ROLLED_BACK, TxStatus.COMPENSATING, TxStatus.PARKED);
        for (TxStatus closed : List.of(TxStatus.COMPLETED, TxStatus.RESOLVED)) {
            for (TransitionTable.Row row : TransitionTable.STANDARD.rows()) {
                if (row.from() == closed) {
                    assertThat(row.to()).as("%s never changes status (%s)", closed, row.name()).containsExactly(closed);
                }
            }
        }
    }
}
