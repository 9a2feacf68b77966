package io.sagalog.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decider's side of issue 11: outcomes the transport cannot tell, successes that arrive after the rollback
 * began, operator actions on a moved transaction, definitions not read yet, failures inside the engine, and
 * transactions left without timers. Each test names the promise it keeps.
 */
class FaultDecisionsTest {

    private static final Definition TRIP = Scenario.tripBooking();

    private static final Definition WITH_PIVOT = Scenario.withPivot();

    private static Input.OperatorCommand command(String id, OperatorAction action, String step, Long expectedSeq) {
        return new Input.OperatorCommand(Scenario.TX, id, action, step, null, "checked by hand", "token:abc123", false,
                expectedSeq);
    }

    // ---- unknown outcomes (item 2) -------------------------------------------------------------------------

    @Test
    void shouldCompensateAStepWhoseCallEndedWithAnUnknownOutcomeWhenTheRollbackComes() {
        Scenario s = new Scenario(TRIP).request().succeed("flights").fail("hotels", Outcome.UNKNOWN);
        assertThat(s.state.step(1).inDoubt()).isTrue();

        s.fire(Timer.Kind.BACKOFF).fail("hotels", Outcome.FAILED_PERMANENT);

        assertThat(s.state.status()).isEqualTo(TxStatus.COMPENSATING);
        assertThat(s.state.compensationPlan()).containsExactly("hotels", "flights");
        s.compensated("hotels").compensated("flights");
        assertThat(s.state.status()).isEqualTo(TxStatus.ROLLED_BACK);
    }

    @Test
    void shouldParkAPivotWhoseCallEndedWithAnUnknownOutcomeRatherThanRollItBack() {
        Scenario s = new Scenario(WITH_PIVOT).request().succeed("reserve").fail("charge", Outcome.UNKNOWN)
                .fire(Timer.Kind.BACKOFF).fail("charge", Outcome.FAILED_TRANSIENT);

        assertThat(s.state.status()).isEqualTo(TxStatus.PARKED);
        assertThat(s.rules()).endsWith("pivot-outcome-unknown");
    }

    @Test
    void shouldRetryAnExpiredAttemptAsNothingHappened() {
        Scenario s = new Scenario(TRIP).request().fail("flights", Outcome.EXPIRED);

        assertThat(s.state.step(0).inDoubt()).isFalse();
        assertThat(s.rules()).containsExactly("transient-failure-retry");
    }

    // ---- late effects (item 3) -----------------------------------------------------------------------------

    @Test
    void shouldCompensateAStepWhoseSuccessArrivesWhileRollingBack() {
        // hotels times out twice is not needed: a transient failure, then the rollback, then its first answer.
        Scenario s = new Scenario(TRIP).request().succeed("flights").fail("hotels", Outcome.FAILED_TRANSIENT)
                .fire(Timer.Kind.BACKOFF).fail("hotels", Outcome.FAILED_TRANSIENT).fire(Timer.Kind.BACKOFF)
                .fail("hotels", Outcome.FAILED_TRANSIENT);
        assertThat(s.state.status()).isEqualTo(TxStatus.COMPENSATING);
        assertThat(s.state.compensationPlan()).containsExactly("flights");

        s.result("hotels", 2, Phase.ACTION, Outcome.SUCCEEDED);

        assertThat(s.eventTypes()).endsWith("LateEffectCompensated");
        assertThat(s.state.compensationPlan()).containsExactly("flights", "hotels");
        s.compensated("flights");
        assertThat(s.lastCommand().step()).isEqualTo("hotels");
        assertThat(s.lastCommand().phase()).isEqualTo(Phase.COMPENSATION);
        s.compensated("hotels");
        assertThat(s.state.status()).isEqualTo(TxStatus.ROLLED_BACK);
    }

    @Test
    void shouldRollBackAgainWhenAStepSucceedsAfterTheRollbackEnded() {
        Scenario s = new Scenario(TRIP).request().fail("flights", Outcome.FAILED_TRANSIENT).fire(Timer.Kind.BACKOFF)
                .fail("flights", Outcome.FAILED_TRANSIENT).fire(Timer.Kind.BACKOFF).fail("flights", Outcome.FAILED_TRANSIENT);
        assertThat(s.state.status()).isEqualTo(TxStatus.ROLLED_BACK);

        s.result("flights", 1, Phase.ACTION, Outcome.SUCCEEDED);

        assertThat(s.state.status()).isEqualTo(TxStatus.COMPENSATING);
        assertThat(s.lastCommand().step()).isEqualTo("flights");
        assertThat(s.lastCommand().phase()).isEqualTo(Phase.COMPENSATION);
        s.compensated("flights");
        assertThat(s.state.status()).isEqualTo(TxStatus.ROLLED_BACK);
        // A repeat of the same late answer is counted once.
        s.result("flights", 1, Phase.ACTION, Outcome.SUCCEEDED);
        assertThat(s.state.status()).isEqualTo(TxStatus.ROLLED_BACK);
        assertThat(s.eventTypes()).endsWith("ResultIgnored");
    }

    @Test
    void shouldIgnoreASuccessForAnAttemptThatWasNeverSent() {
        Scenario s = new Scenario(TRIP).request().fail("flights", Outcome.FAILED_PERMANENT);
        assertThat(s.state.status()).isEqualTo(TxStatus.ROLLED_BACK);

        s.result("hotels", 1, Phase.ACTION, Outcome.SUCCEEDED);

        assertThat(s.state.status()).isEqualTo(TxStatus.ROLLED_BACK);
        assertThat(s.eventTypes()).endsWith("ResultIgnored");
    }

    // ---- operator actions (items 5 and 6) --------------------------------------------------------------------

    @Test
    void shouldRefuseARollbackNamingAnotherStepThanTheOneItStandsAt() {
        Scenario s = new Scenario(TRIP).request().succeed("flights").succeed("hotels");

        s.apply(command("r", OperatorAction.ROLLBACK, "flights", null));

        assertThat(s.eventTypes()).endsWith("OperatorActionRefused");
        assertThat(s.state.status()).isEqualTo(TxStatus.RUNNING);
    }

    @Test
    void shouldCompensateExactlyWhatTheRollbackPlanShowedAndDropTheRunningStepsTimer() {
        Scenario s = new Scenario(TRIP).request().succeed("flights").succeed("hotels");
        List<String> shown = RollbackPlan.ifStartedNow(s.state, TRIP);
        assertThat(shown).containsExactly("payments", "hotels", "flights");

        s.apply(command("r", OperatorAction.ROLLBACK, "payments", null));

        assertThat(s.state.compensationPlan()).isEqualTo(shown);
        assertThat(s.state.timers()).allSatisfy(t -> assertThat(t.phase()).isEqualTo(Phase.COMPENSATION));
        s.compensated("payments").compensated("hotels").compensated("flights");
        assertThat(s.state.status()).isEqualTo(TxStatus.ROLLED_BACK);
        assertThat(s.dispatched()).endsWith("payments.refund", "hotels.cancel", "flights.cancel");
    }

    @Test
    void shouldTreatAnActionTimerFiringDuringTheRollbackAsStale() {
        Scenario s = new Scenario(TRIP).request().succeed("flights");
        Timer actionTimeout = s.state.timers().stream().filter(t -> t.kind() == Timer.Kind.STEP_TIMEOUT).findFirst()
                .orElseThrow();
        s.fail("hotels", Outcome.FAILED_PERMANENT);
        assertThat(s.state.status()).isEqualTo(TxStatus.COMPENSATING);
        // Even if the action's timer had survived, firing it must not count as the compensation timing out.
        TxState withStrayTimer = s.state.withTimers(append(s.state.timers(), actionTimeout));
        Decision d = s.decider.decide(withStrayTimer, new Input.TimerFired(Scenario.TX, actionTimeout),
                actionTimeout.due());

        assertThat(d.journal()).noneMatch(e -> e.event() instanceof JournalEvent.CompensationTimedOut);
        assertThat(d.state().step(0).status()).isEqualTo(StepStatus.COMPENSATING);
    }

    @Test
    void shouldRefuseAnActionWhenTheTransactionMovedOnSinceTheOperatorLooked() {
        Scenario s = new Scenario(TRIP).request().fail("flights", Outcome.FAILED_TRANSIENT);
        long seen = OperatorActions.currentSeq(s.state);
        s.fire(Timer.Kind.BACKOFF); // the engine moves on: attempt 2 is dispatched

        s.apply(command("k", OperatorAction.SKIP, null, seen));

        assertThat(s.eventTypes()).endsWith("OperatorActionRefused");
        assertThat(s.journal.get(s.journal.size() - 1).event().reason()).contains("moved on");
        s.apply(command("k2", OperatorAction.SKIP, null, OperatorActions.currentSeq(s.state)));
        assertThat(s.state.step(0).status()).isEqualTo(StepStatus.SUCCEEDED);
    }

    // ---- definitions not read yet (item 13) ------------------------------------------------------------------

    @Test
    void shouldWaitForADefinitionThisEngineHasNotReadAndStartOnceItIs() {
        List<Definition> known = new java.util.ArrayList<>();
        Decider decider = new Decider(Registrations.of(() -> DefinitionCatalog.of(List.copyOf(known)), participant -> true));
        java.time.Instant t0 = java.time.Instant.parse("2026-01-01T00:00:00Z");
        Decision waiting = decider.decide(null, new Input.TxRequested(Scenario.TX, "trip-booking", "{}", null), t0);
        assertThat(waiting.state().status()).isEqualTo(TxStatus.PARKED);
        Timer recheck = waiting.state().timers().get(0);

        known.add(TRIP);
        Decision started = decider.decide(waiting.state(), new Input.TimerFired(Scenario.TX, recheck), recheck.due());

        assertThat(started.state().status()).isEqualTo(TxStatus.RUNNING);
        assertThat(started.commands()).extracting(StepCommand::step).containsExactly("flights");
    }

    // ---- failures inside the engine (item 1) ------------------------------------------------------------------

    @Test
    void shouldParkATransactionWhoseDecisionFailedWithTheExceptionAsFacts() {
        Scenario s = new Scenario(TRIP).request();

        s.engineError(new Input.StepResult(Scenario.TX, "flights", 1, Phase.ACTION, Outcome.SUCCEEDED, "{}", null),
                new ArithmeticException("long overflow"));

        assertThat(s.state.status()).isEqualTo(TxStatus.PARKED);
        assertThat(s.state.timers()).isEmpty();
        JournalEvent.RecoveryDecided decided = (JournalEvent.RecoveryDecided) s.journal.stream().map(JournalEntry::event)
                .filter(JournalEvent.RecoveryDecided.class::isInstance).reduce((a, b) -> b).orElseThrow();
        assertThat(decided.rule()).isEqualTo("engine-error");
        assertThat(decided.facts()).containsEntry("exception", "java.lang.ArithmeticException")
                .containsEntry("message", "long overflow");
    }

    @Test
    void shouldParkARequestThatCouldNotStartInsteadOfLosingIt() {
        Decider decider = new Decider(DefinitionCatalog.of(List.of(TRIP)));
        Input request = new Input.TxRequested(Scenario.TX, "trip-booking", "{}", null);

        Decision d = decider.engineError(null, request, java.time.Instant.parse("2026-01-01T00:00:00Z"),
                new java.time.DateTimeException("Instant exceeds minimum or maximum instant"));

        assertThat(d.state().status()).isEqualTo(TxStatus.PARKED);
        assertThat(d.state().reason()).startsWith("engine-error");
    }

    @Test
    void shouldParkRatherThanSendAStepRequestTooLargeForKafka() {
        Scenario s = new Scenario(TRIP).request().maxStepRequestBytes(200);
        String big = "{\"seats\":\"" + "x".repeat(300) + "\"}";

        s.apply(new Input.StepResult(Scenario.TX, "flights", 1, Phase.ACTION, Outcome.SUCCEEDED, big, null));

        assertThat(s.state.status()).isEqualTo(TxStatus.PARKED);
        assertThat(s.state.reason()).startsWith("step-request-too-large");
        assertThat(s.commands).extracting(StepCommand::step).containsExactly("flights");
    }

    // ---- transactions without timers (item 10) ----------------------------------------------------------------

    @Test
    void shouldRepairARunningTransactionThatLostItsTimersAsIfItsAttemptTimedOut() {
        Scenario s = new Scenario(TRIP).request().succeed("flights");
        TxState lost = s.state.withTimers(List.of());

        Decision d = s.decider.decide(lost, new Input.TimerFired(Scenario.TX, Timer.repair(s.now.plus(Duration.ofMinutes(1)))),
                s.now.plus(Duration.ofMinutes(1)));

        assertThat(d.journal()).extracting(e -> e.event().type()).contains("TimersRepaired", "StepTimedOut");
        assertThat(d.state().step(1).inDoubt()).isTrue();
        assertThat(d.state().timers()).isNotEmpty();
    }

    @Test
    void shouldNotTouchATransactionThatHasItsTimers() {
        Scenario s = new Scenario(TRIP).request();

        Decision d = s.decider.decide(s.state, new Input.TimerFired(Scenario.TX, Timer.repair(s.now)), s.now);

        assertThat(d.journal()).isEmpty();
        assertThat(d.commands()).isEmpty();
        assertThat(d.state().timers()).isEqualTo(s.state.timers());
    }

    private static List<Timer> append(List<Timer> timers, Timer timer) {
        List<Timer> all = new java.util.ArrayList<>(timers);
        all.add(timer);
        return all;
    }
}
