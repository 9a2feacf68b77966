package io.sagalog.engine;

import static io.sagalog.engine.Outcome.FAILED_PERMANENT;
import static io.sagalog.engine.Outcome.FAILED_TRANSIENT;
import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.JournalEvent.OperatorActed;
import io.sagalog.engine.JournalEvent.OperatorActionRefused;
import io.sagalog.engine.JournalEvent.RecoveryDecided;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Operator actions as decider inputs: each applies only where it fits, is journaled with actor and reason, and runs once per action id. */
class OperatorActionsTest {

    /** reserve (compensatable) -> charge (pivot) -> notify (retriable), 2 attempts each. */
    private static final Definition WITH_PIVOT = Scenario.definition("""
            {"name": "trip-booking", "steps": [
              {"name": "reserve", "participant": "hotels", "action": "reserve", "compensation": "cancel",
               "retry": {"maxAttempts": 2, "initialBackoff": "10s", "jitter": 0}},
              {"name": "charge", "participant": "payments", "action": "charge", "kind": "pivot",
               "retry": {"maxAttempts": 2}},
              {"name": "notify", "participant": "mail", "action": "send", "kind": "retriable",
               "retry": {"maxAttempts": 2, "initialBackoff": "1s", "jitter": 0}}
            ]}""");

    private static Input.OperatorCommand command(String actionId, OperatorAction action, String step, boolean force) {
        return new Input.OperatorCommand(Scenario.TX, actionId, action, step, null, "checked with the mail team",
                "token:abc123", force);
    }

    /** Parked after the pivot: notify failed twice. */
    private static Scenario parkedAfterPivot() {
        Scenario s = new Scenario(WITH_PIVOT).request().succeed("reserve").succeed("charge")
                .fail("notify", FAILED_TRANSIENT).fire(Timer.Kind.BACKOFF).fail("notify", FAILED_TRANSIENT);
        assertThat(s.state.status()).isEqualTo(TxStatus.PARKED);
        return s;
    }

    @Test
    void shouldResumeAParkedTransactionAtTheStepItStoppedAndComplete() {
        Scenario s = parkedAfterPivot();

        s.apply(command("a1", OperatorAction.RESUME, null, false));

        assertThat(s.state.status()).isEqualTo(TxStatus.RUNNING);
        assertThat(s.lastCommand().step()).isEqualTo("notify");
        assertThat(s.lastCommand().attempt()).isEqualTo(3);
        assertThat(s.journal).anySatisfy(e -> assertThat(e.event()).isInstanceOfSatisfying(OperatorActed.class, a -> {
            assertThat(a.actor()).isEqualTo("token:abc123");
            assertThat(a.reason()).isEqualTo("checked with the mail team");
            assertThat(a.step()).isEqualTo("notify");
        }));
        s.succeed("notify");
        assertThat(s.state.status()).isEqualTo(TxStatus.COMPLETED);
    }

    @Test
    void shouldApplyAnActionIdOnlyOnce() {
        Scenario s = parkedAfterPivot();
        int before = s.commands.size();

        s.apply(command("same", OperatorAction.RESUME, null, false));
        s.apply(command("same", OperatorAction.RESUME, null, false));

        assertThat(s.commands).hasSize(before + 1);
        assertThat(s.eventTypes()).endsWith("OperatorActionIgnored");
    }

    @Test
    void shouldRefuseRollbackAfterThePivotUnlessForcedAndRecordWhy() {
        Scenario s = parkedAfterPivot();

        s.apply(command("r1", OperatorAction.ROLLBACK, null, false));
        assertThat(s.state.status()).isEqualTo(TxStatus.PARKED);
        assertThat(s.journal.get(s.journal.size() - 1).event()).isInstanceOfSatisfying(OperatorActionRefused.class,
                r -> assertThat(r.reason()).contains("pivot step charge succeeded").contains("\"force\": true"));

        s.apply(command("r2", OperatorAction.ROLLBACK, null, true));
        assertThat(s.state.status()).isEqualTo(TxStatus.COMPENSATING);
        assertThat(s.state.compensationPlan()).containsExactly("reserve");
        assertThat(s.journal).anySatisfy(e -> assertThat(e.event()).isInstanceOfSatisfying(RecoveryDecided.class, d -> {
            assertThat(d.rule()).isEqualTo("operator-rollback");
            assertThat(d.facts()).containsEntry("forced", "true").containsEntry("pivotSucceeded", "charge");
        }));
        s.compensated("reserve");
        assertThat(s.state.status()).isEqualTo(TxStatus.ROLLED_BACK);
    }

    @Test
    void shouldRollBackARunningTransactionBeforeThePivotCompensatingNewestFirst() {
        Scenario s = new Scenario(WITH_PIVOT).request().succeed("reserve");
        assertThat(RollbackPlan.ifStartedNow(s.state, WITH_PIVOT)).containsExactly("reserve");

        s.apply(command("r", OperatorAction.ROLLBACK, null, false));

        assertThat(s.state.status()).isEqualTo(TxStatus.COMPENSATING);
        assertThat(s.lastCommand().phase()).isEqualTo(Phase.COMPENSATION);
        assertThat(s.lastCommand().step()).isEqualTo("reserve");
        // The pivot's attempt was outstanding: its success now is an effect nobody can undo, so an operator must see it.
        s.succeed("charge");
        assertThat(s.state.status()).isEqualTo(TxStatus.PARKED);
        assertThat(s.state.reason()).startsWith("late-effect-after-rollback").contains("charge");
    }

    @Test
    void shouldSkipTheStoppedStepWithTheGivenOutputAndContinue() {
        Scenario s = parkedAfterPivot();

        s.apply(new Input.OperatorCommand(Scenario.TX, "s1", OperatorAction.SKIP, "notify", "{\"sent\":\"by hand\"}",
                "mail sent by hand", "token:abc123", false));

        assertThat(s.state.status()).isEqualTo(TxStatus.COMPLETED);
        assertThat(s.state.step(2).output()).isEqualTo("{\"sent\":\"by hand\"}");
    }

    @Test
    void shouldRetryAWaitingStepNowInsteadOfAfterItsBackoff() {
        Scenario s = new Scenario(WITH_PIVOT).request().fail("reserve", FAILED_TRANSIENT);
        assertThat(s.state.step(0).status()).isEqualTo(StepStatus.RETRY_WAIT);
        s.after(Duration.ofMillis(100));

        s.apply(command("t1", OperatorAction.RETRY, "reserve", false));

        assertThat(s.lastCommand().attempt()).isEqualTo(2);
        assertThat(s.state.timers()).noneMatch(t -> t.kind() == Timer.Kind.BACKOFF);
        s.succeed("reserve");
        assertThat(s.state.step(0).status()).isEqualTo(StepStatus.SUCCEEDED);
    }

    @Test
    void shouldFinishARollbackByHandWhenACompensationIsSkipped() {
        Scenario s = new Scenario(Scenario.tripBooking()).request().succeed("flights").succeed("hotels")
                .fail("payments", FAILED_PERMANENT);
        while (s.state.status() == TxStatus.COMPENSATING) {
            s.compensationFails("hotels");
            if (s.state.status() == TxStatus.COMPENSATING) {
                s.fire(Timer.Kind.BACKOFF);
            }
        }
        assertThat(s.state.status()).isEqualTo(TxStatus.PARKED);
        assertThat(OperatorActions.stopPoint(s.state).phase()).isEqualTo(Phase.COMPENSATION);

        s.apply(command("k1", OperatorAction.SKIP, "hotels", false));

        assertThat(s.state.status()).isEqualTo(TxStatus.COMPENSATING);
        assertThat(s.lastCommand().step()).isEqualTo("flights");
        s.compensated("flights");
        assertThat(s.state.status()).isEqualTo(TxStatus.ROLLED_BACK);
    }

    @Test
    void shouldResolveATransactionSoNothingMoreIsDispatched() {
        Scenario s = parkedAfterPivot();
        int before = s.commands.size();

        s.apply(command("z", OperatorAction.RESOLVE, null, false));
        s.succeed("notify");

        assertThat(s.state.status()).isEqualTo(TxStatus.RESOLVED);
        assertThat(s.state.reason()).isEqualTo("checked with the mail team");
        assertThat(s.state.timers()).isEmpty();
        assertThat(s.commands).hasSize(before);
        assertThat(s.state.status().isFinal()).isTrue();
    }

    @Test
    void shouldSayWhyAnActionDoesNotFit() {
        Scenario running = new Scenario(WITH_PIVOT).request();
        assertThat(OperatorActions.refusal(running.state, WITH_PIVOT, command("x", OperatorAction.RESUME, null, false)))
                .hasValueSatisfying(r -> assertThat(r).contains("only a PARKED transaction can be resumed"));
        assertThat(OperatorActions.refusal(running.state, WITH_PIVOT, command("x", OperatorAction.RETRY, "notify", false)))
                .hasValueSatisfying(r -> assertThat(r).contains("stands at step reserve"));
        assertThat(OperatorActions.refusal(running.state, WITH_PIVOT, command("x", OperatorAction.SKIP, "nope", false)))
                .hasValueSatisfying(r -> assertThat(r).contains("no step 'nope'"));
        Input.OperatorCommand noReason = new Input.OperatorCommand(Scenario.TX, "x", OperatorAction.RESOLVE, null, null,
                " ", "token:abc123", false);
        assertThat(OperatorActions.refusal(running.state, WITH_PIVOT, noReason)).isPresent();

        Scenario done = new Scenario(WITH_PIVOT).request().succeed("reserve").succeed("charge").succeed("notify");
        done.apply(command("late", OperatorAction.RETRY, null, false));
        assertThat(done.state.status()).isEqualTo(TxStatus.COMPLETED);
        assertThat(done.journal.get(done.journal.size() - 1).event()).isInstanceOfSatisfying(
                OperatorActionRefused.class, r -> assertThat(r.reason()).contains("already COMPLETED"));
    }

    @Test
    void shouldRefuseActionsForATransactionThatDoesNotExistWithoutStoringOne() {
        Scenario s = new Scenario(WITH_PIVOT);

        s.apply(command("a", OperatorAction.RESOLVE, null, false));

        assertThat(s.state).isNull();
        assertThat(s.last.journal()).extracting(e -> e.event().type()).containsExactly("OperatorActionRefused");
        assertThat(List.copyOf(s.commands)).isEmpty();
    }
}
