package io.sagalog.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.JournalEvent.CompensationDispatched;
import io.sagalog.engine.JournalEvent.Direction;
import io.sagalog.engine.JournalEvent.RecoveryDecided;
import io.sagalog.engine.JournalEvent.StepCompensated;
import io.sagalog.engine.JournalEvent.StepDispatched;
import io.sagalog.engine.JournalEvent.StepSucceeded;
import io.sagalog.engine.JournalEvent.TransitionRejected;
import io.sagalog.engine.SagaSimulation.Applied;
import io.sagalog.engine.SagaSimulation.Fate;
import io.sagalog.engine.SagaSimulation.Kind;
import io.sagalog.engine.SagaSimulation.Plan;
import io.sagalog.engine.SagaSimulation.Reaction;
import io.sagalog.engine.SagaSimulation.SagaSpec;
import io.sagalog.engine.SagaSimulation.StepSpec;
import io.sagalog.engine.SagaSimulation.Tx;
import io.sagalog.engine.SagaSimulation.TxPlan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Property-based tests of the pure {@link Decider}, driven through a simulated world ({@link SagaSimulation}).
 *
 * <p><b>Generated:</b> one to three transactions, each on its own random valid definition (1-6 steps; with or
 * without a pivot; compensatable steps before the pivot and retriable steps after it, or, without a pivot,
 * retriable steps only at the end; 1-4 attempts, 0.5-5 s timeouts, varied backoffs; a short deadline or the default
 * hour), and a fault script: participants that succeed, fail transiently or permanently, never get the request or
 * lose their answer (so the timeout fires), answer late (after the timeout, so older attempts answer late), twice,
 * or out of order; requests read twice; timers that fire late; restarts that apply the last few inputs again
 * (at-least-once replay). Participants are idempotent by idempotency key, like the SDK's {@code Idempotent}, and
 * read the requests of one transaction in order (one Kafka partition). A run lasts until nothing more can happen;
 * then every ended transaction gets more inputs (all its inputs again, all its timers, a repeated request, fresh
 * results for every step).
 *
 * <p><b>Checked</b> on every transaction of every run:
 * <ol>
 *   <li>it ends COMPLETED, ROLLED_BACK, or PARKED with a reason, within a bound of events; once ended, no input
 *       changes it or sends anything (and no input of the run is an undeclared transition); a replayed input
 *       changes nothing either;
 *   <li>a compensation is sent only for a step whose action was sent (and that succeeded or may have happened);
 *   <li>compensations go newest step first, and each step is compensated at most once;
 *   <li>no action is sent once rollback began;
 *   <li>nothing is rolled back once the pivot succeeded;
 *   <li>each effect happens at most once per step and phase at the participants (one idempotency key per step and
 *       phase), and at most one attempt per step and phase is outstanding (one STEP_TIMEOUT timer);
 *   <li>journal {@code seq}s are 0..n-1 over the whole run, and {@code nextSeq} is n;
 *   <li>COMPLETED means every step succeeded; ROLLED_BACK means every succeeded step with a compensation was
 *       compensated, and (at the participants) every action that took effect, answered or not, was undone
 *       afterwards (not checked when a participant read a request twice, see
 *       {@code leavesNoEffectBehindWhenRolledBack});
 *   <li>an ended (or parked) transaction has no active timer; and after every decision its timer commands leave
 *       the engine's timer store equal to {@code state.timers()}.
 * </ol>
 */
class DeciderPropertiesTest {

    @Property(tries = 400)
    void everyTransactionEndsAndKeepsTheSagaInvariants(@ForAll("plans") Plan plan) {
        SagaSimulation sim = SagaSimulation.run(plan);

        assertThat(sim.hitBound())
                .as(() -> "the run must end within " + SagaSimulation.MAX_EVENTS + " events, but these transactions "
                        + "were still going: " + sim.transactions())
                .isFalse();
        for (Tx tx : sim.transactions()) {
            endsCompletedRolledBackOrParkedWithAReason(tx);
            staysPutOnceEndedAndUnderReplays(tx);
            compensatesOnlyStepsWhoseActionWasSent(tx);
            compensatesNewestFirstAndEachStepOnce(tx);
            sendsNoActionOnceRollbackBegan(tx);
            rollsNothingBackOnceThePivotSucceeded(tx);
            keepsOneKeyAndOneOutstandingAttemptPerStepAndPhase(tx, sim.effects());
            numbersTheJournalWithoutGaps(tx);
            endsWithEveryStepDoneOrUndone(tx);
            leavesNoEffectBehindWhenRolledBack(tx, sim.effects());
            leavesNoTimerOnceEnded(tx);
            accountsForEveryEffect(tx, sim.effects());

            Statistics.label("ending").collect(tx.status());
            tx.journal.stream().filter(e -> e.event() instanceof RecoveryDecided).map(e -> ((RecoveryDecided) e.event())
                    .rule()).distinct().forEach(rule -> Statistics.label("recovery rules used").collect(rule));
        }
        Statistics.label("ending").coverage(c -> {
            c.check(TxStatus.COMPLETED).percentage(p -> p > 10);
            c.check(TxStatus.ROLLED_BACK).percentage(p -> p > 5);
            c.check(TxStatus.PARKED).percentage(p -> p > 2);
        });
    }

    @Property(tries = 100)
    void theSameInputsGiveTheSameHistory(@ForAll("plans") Plan plan) {
        SagaSimulation a = SagaSimulation.run(plan);
        SagaSimulation b = SagaSimulation.run(plan);

        for (int i = 0; i < a.transactions().size(); i++) {
            Tx x = a.transactions().get(i);
            Tx y = b.transactions().get(i);
            assertThat(y.journal).as("journal of %s", x.id).isEqualTo(x.journal);
            assertThat(y.commands).as("commands of %s", x.id).isEqualTo(x.commands);
            assertThat(y.state).as("state of %s", x.id).isEqualTo(x.state);
        }
    }

    // ---- 1. every transaction ends; an ended one stays put; replays change nothing ----------------------------

    private static void endsCompletedRolledBackOrParkedWithAReason(Tx tx) {
        assertThat(tx.status()).as(() -> "1. %s must end COMPLETED, ROLLED_BACK or PARKED, but nothing more could "
                .formatted(tx.id) + "happen and it is " + tx.status() + "\n" + history(tx))
                .isIn(TxStatus.COMPLETED, TxStatus.ROLLED_BACK, TxStatus.PARKED);
        if (tx.status() == TxStatus.PARKED) {
            assertThat(tx.state.reason()).as(() -> "1. %s is PARKED without a reason\n".formatted(tx.id) + history(tx))
                    .isNotBlank();
        }
        assertThat(tx.journal).as(() -> "1. every input of the run is a declared transition for %s\n"
                .formatted(tx.id) + history(tx))
                .noneMatch(e -> e.event() instanceof TransitionRejected);
        assertThat(tx.applied).as("1. %s got inputs after it ended", tx.id).anyMatch(a -> a.kind() == Kind.PROBE);
    }

    private static void staysPutOnceEndedAndUnderReplays(Tx tx) {
        for (Applied a : tx.applied) {
            boolean ended = a.before() != null && SagaSimulation.isEnded(a.before().status());
            if (!ended && a.kind() != Kind.REPLAY) {
                continue;
            }
            if (lateEffect(a)) {
                continue; // the one input that may move an ended transaction: an effect it did not know of (below)
            }
            String why = ended ? "1. once %s is %s, %s must change nothing" : "1. replaying %s (%s) %s must change nothing";
            TxState before = a.before();
            TxState after = a.decision().state();
            assertThat(after).as(() -> why.formatted(tx.id, before.status(), a.input()) + ": no state to store")
                    .isNotNull();
            assertThat(after.status()).as(() -> why.formatted(tx.id, before.status(), a.input()) + ": status\n"
                    + history(tx)).isEqualTo(before.status());
            assertThat(after.reason()).as(() -> why.formatted(tx.id, before.status(), a.input()) + ": reason")
                    .isEqualTo(before.reason());
            assertThat(after.steps()).as(() -> why.formatted(tx.id, before.status(), a.input()) + ": steps")
                    .isEqualTo(before.steps());
            assertThat(after.compensationPlan()).as(() -> why.formatted(tx.id, before.status(), a.input())
                    + ": compensation plan").isEqualTo(before.compensationPlan());
            assertThat(after.timers()).as(() -> why.formatted(tx.id, before.status(), a.input()) + ": timers")
                    .isEqualTo(before.timers());
            assertThat(a.decision().commands()).as(() -> why.formatted(tx.id, before.status(), a.input())
                    + ": it sent step requests").isEmpty();
            assertThat(a.decision().timers()).as(() -> why.formatted(tx.id, before.status(), a.input())
                    + ": it changed timers").isEmpty();
        }
    }

    /**
     * A success the engine had given up on: after the rollback began it plans the step's compensation (or parks);
     * while parked on the way forward it records the step as done.
     */
    private static boolean lateEffect(Applied a) {
        boolean parked = a.before() != null && a.before().status() == TxStatus.PARKED;
        return a.decision().journal().stream().anyMatch(e -> e.event() instanceof JournalEvent.LateEffectCompensated
                || (e.event() instanceof RecoveryDecided r && r.rule().equals(Rule.LATE_EFFECT_AFTER_ROLLBACK.id()))
                || (parked && e.event() instanceof StepSucceeded));
    }

    /**
     * 10. Every action a participant executed successfully is accounted for: the transaction COMPLETED, or that
     * step's compensation took effect after it, or the transaction is PARKED knowing of the step (its reason names
     * it, or the step counts as done, in doubt or planned for compensation, so an operator sees it).
     */
    private static void accountsForEveryEffect(Tx tx, List<SagaSimulation.Effect> effects) {
        if (tx.status() == TxStatus.COMPLETED || tx.redeliveredRequests > 0) {
            return;
        }
        for (SagaSimulation.Effect action : effects) {
            if (!action.txId().equals(tx.id) || action.phase() != Phase.ACTION) {
                continue;
            }
            boolean undone = effects.stream().anyMatch(e -> e.txId().equals(tx.id) && e.step().equals(action.step())
                    && e.phase() == Phase.COMPENSATION && !e.at().isBefore(action.at()));
            if (undone) {
                continue;
            }
            StepState step = tx.state.step(tx.definition.indexOf(action.step()));
            boolean known = tx.status() == TxStatus.PARKED && (String.valueOf(tx.state.reason()).contains(action.step())
                    || step.status() == StepStatus.SUCCEEDED || step.inDoubt()
                    || tx.state.compensationPlan().contains(action.step()));
            assertThat(known).as(() -> "10. %s ended %s, but the action of %s took effect at %s and is neither "
                    .formatted(tx.id, tx.status(), action.step(), action.at()) + "compensated nor known to the engine\n"
                    + history(tx)).isTrue();
        }
    }

    // ---- 2. a compensation only for a step whose action was sent ---------------------------------------------

    private static void compensatesOnlyStepsWhoseActionWasSent(Tx tx) {
        Set<String> actionSent = new HashSet<>();
        Set<String> succeeded = new HashSet<>();
        for (Applied a : tx.applied) {
            Decision d = a.decision();
            assertThat(keys(d.commands(), Phase.ACTION)).as("2. %s: the action requests of one decision match its "
                    + "StepDispatched events (%s)", tx.id, a.input())
                    .isEqualTo(eventKeys(d, StepDispatched.class));
            assertThat(keys(d.commands(), Phase.COMPENSATION)).as("2. %s: the compensation requests of one decision "
                    + "match its CompensationDispatched events (%s)", tx.id, a.input())
                    .isEqualTo(eventKeys(d, CompensationDispatched.class));
            for (JournalEntry e : d.journal()) {
                if (e.event() instanceof StepSucceeded s) {
                    succeeded.add(s.step());
                }
                if (e.event() instanceof JournalEvent.LateEffectCompensated s) {
                    succeeded.add(s.step());
                }
            }
            for (StepCommand c : d.commands()) {
                if (c.phase() == Phase.ACTION) {
                    actionSent.add(c.step());
                    continue;
                }
                assertThat(actionSent).as(() -> "2. %s: compensation of %s sent, but its action never was\n"
                        .formatted(tx.id, c.step()) + history(tx)).contains(c.step());
                StepState step = d.state().step(d.state().indexOf(c.step()));
                assertThat(succeeded.contains(c.step()) || step.inDoubt())
                        .as(() -> "2. %s: compensation of %s sent, but its action neither succeeded nor may have "
                                .formatted(tx.id, c.step()) + "happened (it was not in doubt)\n" + history(tx))
                        .isTrue();
            }
        }
    }

    // ---- 3. newest first, each step compensated at most once -------------------------------------------------

    private static void compensatesNewestFirstAndEachStepOnce(Tx tx) {
        // A step whose success arrived after the rollback began is compensated when it turns up, out of order.
        Set<String> late = tx.journal.stream().filter(e -> e.event() instanceof JournalEvent.LateEffectCompensated)
                .map(e -> ((JournalEvent.LateEffectCompensated) e.event()).step()).collect(Collectors.toSet());
        List<Integer> positions = tx.commands.stream().filter(c -> c.phase() == Phase.COMPENSATION)
                .filter(c -> !late.contains(c.step())).map(c -> tx.definition.indexOf(c.step())).toList();
        for (int i = 1; i < positions.size(); i++) {
            int k = i;
            assertThat(positions.get(k)).as(() -> "3. %s: compensations must go newest step first, but they went "
                    .formatted(tx.id) + "by position " + positions + "\n" + history(tx))
                    .isLessThanOrEqualTo(positions.get(k - 1));
        }
        Map<String, Long> compensated = tx.journal.stream().filter(e -> e.event() instanceof StepCompensated)
                .collect(Collectors.groupingBy(e -> ((StepCompensated) e.event()).step(), Collectors.counting()));
        assertThat(compensated).as(() -> "3. %s: a step was compensated more than once\n".formatted(tx.id)
                + history(tx)).allSatisfy((step, times) -> assertThat(times).isEqualTo(1L));
    }

    // ---- 4. nothing moves forward once rollback began --------------------------------------------------------

    private static void sendsNoActionOnceRollbackBegan(Tx tx) {
        int began = firstDecision(tx, a -> a.decision().commands().stream().anyMatch(c -> c.phase() == Phase.COMPENSATION)
                || a.decision().journal().stream().anyMatch(e -> e.event() instanceof CompensationDispatched
                || e.event() instanceof RecoveryDecided r && r.direction() == Direction.ROLLBACK));
        for (int i = Math.max(began, 0); began >= 0 && i < tx.applied.size(); i++) {
            Applied a = tx.applied.get(i);
            assertThat(a.decision().commands()).as(() -> "4. %s: an action was sent after rollback began (on %s)\n"
                    .formatted(tx.id, a.input()) + history(tx)).noneMatch(c -> c.phase() == Phase.ACTION);
            assertThat(a.decision().journal()).as(() -> "4. %s: StepDispatched after rollback began\n"
                    .formatted(tx.id) + history(tx)).noneMatch(e -> e.event() instanceof StepDispatched);
        }
    }

    // ---- 5. nothing is rolled back once the pivot succeeded --------------------------------------------------

    private static void rollsNothingBackOnceThePivotSucceeded(Tx tx) {
        String pivot = tx.definition.steps().stream().filter(s -> s.kind() == StepKind.PIVOT).map(StepDefinition::name)
                .findFirst().orElse(null);
        if (pivot == null) {
            return;
        }
        int succeeded = firstDecision(tx, a -> a.decision().journal().stream()
                .anyMatch(e -> e.event() instanceof StepSucceeded s && s.step().equals(pivot)));
        for (int i = Math.max(succeeded, 0); succeeded >= 0 && i < tx.applied.size(); i++) {
            Applied a = tx.applied.get(i);
            assertThat(a.decision().commands()).as(() -> "5. %s: a compensation was sent after the pivot %s "
                    .formatted(tx.id, pivot) + "succeeded\n" + history(tx)).noneMatch(c -> c.phase() == Phase.COMPENSATION);
            assertThat(a.decision().journal()).as(() -> "5. %s: rollback decided after the pivot %s succeeded\n"
                    .formatted(tx.id, pivot) + history(tx)).noneMatch(e -> e.event() instanceof RecoveryDecided r
                    && r.direction() == Direction.ROLLBACK);
        }
    }

    // ---- 6. one effect per key; one outstanding attempt per step and phase -----------------------------------

    private static void keepsOneKeyAndOneOutstandingAttemptPerStepAndPhase(Tx tx, List<SagaSimulation.Effect> effects) {
        for (StepCommand c : tx.commands) {
            assertThat(c.idempotencyKey()).as("6. %s: the idempotency key of %s %s attempt %d", tx.id, c.step(),
                    c.phase(), c.attempt()).isEqualTo(tx.id + ":" + c.step() + ":" + c.phase().keyWord());
        }
        Map<String, Long> perStepAndPhase = effects.stream().filter(e -> e.txId().equals(tx.id))
                .collect(Collectors.groupingBy(e -> e.step() + " " + e.phase(), Collectors.counting()));
        assertThat(perStepAndPhase).as(() -> "6. %s: an effect happened more than once at a participant: "
                .formatted(tx.id) + perStepAndPhase).allSatisfy((k, times) -> assertThat(times).isEqualTo(1L));
        for (Applied a : tx.applied) {
            Map<String, Long> outstanding = a.decision().state().timers().stream()
                    .filter(t -> t.kind() == Timer.Kind.STEP_TIMEOUT)
                    .collect(Collectors.groupingBy(t -> t.step() + " " + t.phase(), Collectors.counting()));
            assertThat(outstanding).as(() -> "6. %s: two attempts of one step and phase outstanding after %s: "
                    .formatted(tx.id, a.input()) + a.decision().state().timers())
                    .allSatisfy((k, times) -> assertThat(times).isEqualTo(1L));
        }
    }

    // ---- 7. journal sequence numbers ----------------------------------------------------------------------

    private static void numbersTheJournalWithoutGaps(Tx tx) {
        assertThat(tx.journal).extracting(JournalEntry::seq).as("7. %s: journal seq numbers", tx.id)
                .containsExactlyElementsOf(LongStream.range(0, tx.journal.size()).boxed().toList());
        assertThat(tx.state.nextSeq()).as("7. %s: nextSeq is the number of journal events", tx.id)
                .isEqualTo(tx.journal.size());
    }

    // ---- 8. what COMPLETED and ROLLED_BACK promise --------------------------------------------------------

    private static void endsWithEveryStepDoneOrUndone(Tx tx) {
        if (tx.status() == TxStatus.COMPLETED) {
            assertThat(tx.state.steps()).as(() -> "8. %s is COMPLETED, so every step succeeded\n".formatted(tx.id)
                    + history(tx)).allMatch(s -> s.status() == StepStatus.SUCCEEDED);
        }
        if (tx.status() == TxStatus.ROLLED_BACK) {
            Set<String> succeeded = tx.journal.stream().filter(e -> e.event() instanceof StepSucceeded)
                    .map(e -> ((StepSucceeded) e.event()).step()).collect(Collectors.toSet());
            for (StepDefinition step : tx.definition.steps()) {
                if (succeeded.contains(step.name()) && step.hasCompensation()) {
                    assertThat(tx.state.step(tx.definition.indexOf(step.name())).status())
                            .as(() -> "8. %s is ROLLED_BACK, so %s (which succeeded) is compensated\n"
                                    .formatted(tx.id, step.name()) + history(tx))
                            .isEqualTo(StepStatus.COMPENSATED);
                }
            }
        }
    }

    /**
     * The participants' side of 8: an action that took effect (even one whose answer was lost or came late) is
     * undone after it took effect. Not checked for a transaction whose participant read a request twice: when the
     * first read fails transiently and the copy succeeds, the engine has already counted that attempt as failed (not
     * in doubt), journals the copy's success as {@code ResultIgnored}, and a rollback leaves the effect in place.
     * The decider cannot see that case coming (it can end ROLLED_BACK before the copy even runs); it is a limit of
     * the participant contract (a transient failure is not recorded per key), not one of the invariants above.
     */
    private static void leavesNoEffectBehindWhenRolledBack(Tx tx, List<SagaSimulation.Effect> effects) {
        if (tx.status() != TxStatus.ROLLED_BACK || tx.redeliveredRequests > 0) {
            return;
        }
        for (StepDefinition step : tx.definition.steps()) {
            if (!step.hasCompensation()) {
                continue;
            }
            List<SagaSimulation.Effect> ofStep = effects.stream()
                    .filter(e -> e.txId().equals(tx.id) && e.step().equals(step.name())).toList();
            ofStep.stream().filter(e -> e.phase() == Phase.ACTION).findFirst().ifPresent(action ->
                    assertThat(ofStep).as(() -> "8. %s is ROLLED_BACK, but the action of %s took effect at %s and "
                                    .formatted(tx.id, step.name(), action.at()) + "was not compensated after that: "
                                    + ofStep + "\n" + history(tx))
                            .anyMatch(e -> e.phase() == Phase.COMPENSATION && !e.at().isBefore(action.at())));
        }
    }

    // ---- 9. no timer survives the end ---------------------------------------------------------------------

    private static void leavesNoTimerOnceEnded(Tx tx) {
        for (Applied a : tx.applied) {
            TxState s = a.decision().state();
            assertThat(Set.copyOf(a.timerStore())).as(() -> "9. %s: the timer commands after %s must leave the "
                    .formatted(tx.id, a.input()) + "engine's timer store equal to state.timers()\n" + history(tx))
                    .isEqualTo(Set.copyOf(s.timers()));
            if (SagaSimulation.isEnded(s.status())) {
                assertThat(s.timers()).as(() -> "9. %s is %s after %s but still has timers\n"
                        .formatted(tx.id, s.status(), a.input()) + history(tx)).isEmpty();
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static int firstDecision(Tx tx, Predicate<Applied> p) {
        for (int i = 0; i < tx.applied.size(); i++) {
            if (p.test(tx.applied.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> keys(List<StepCommand> commands, Phase phase) {
        return commands.stream().filter(c -> c.phase() == phase).map(c -> c.step() + "#" + c.attempt()).toList();
    }

    private static List<String> eventKeys(Decision d, Class<? extends JournalEvent.StepEvent> type) {
        return d.journal().stream().map(JournalEntry::event).filter(type::isInstance)
                .map(e -> ((JournalEvent.StepEvent) e).step() + "#" + ((JournalEvent.StepEvent) e).attempt()).toList();
    }

    /** The transaction's journal, one line per event, for failure messages. */
    private static String history(Tx tx) {
        StringBuilder b = new StringBuilder("history of ").append(tx.id).append(" (").append(tx.definition.steps()
                .stream().map(s -> s.name() + ":" + s.kind().jsonName() + (s.hasCompensation() ? "+undo" : "")
                        + ":" + s.retry().maxAttempts() + "x" + s.timeout().toMillis() + "ms").toList())
                .append(", deadline ").append(tx.definition.deadline()).append("):\n");
        for (Applied a : tx.applied) {
            b.append("  ").append(a.kind()).append(' ').append(a.at()).append(' ').append(a.input()).append('\n');
            for (JournalEntry e : a.decision().journal()) {
                b.append("      #").append(e.seq()).append(' ').append(e.status()).append(' ').append(e.event())
                        .append('\n');
            }
        }
        return b.toString();
    }

    // ---- generators -----------------------------------------------------------------------------------------

    @Provide
    Arbitrary<Plan> plans() {
        Arbitrary<List<TxPlan>> txs = txPlans().list().ofMinSize(1).ofMaxSize(3);
        Arbitrary<List<Reaction>> reactions = reactions().list().ofMaxSize(40);
        Arbitrary<List<Integer>> lateness = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.integers().between(1, 3_000))).list().ofMaxSize(20);
        Arbitrary<List<Integer>> replays = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.integers().between(1, 4))).list().ofMaxSize(30);
        return Combinators.combine(txs, reactions, lateness, replays).as(Plan::new);
    }

    private Arbitrary<TxPlan> txPlans() {
        Arbitrary<Integer> repeatAfter = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(-1)),
                Tuple.of(1, Arbitraries.integers().between(0, 10_000)));
        return Combinators.combine(sagas(), Arbitraries.integers().between(0, 1_000), repeatAfter).as(TxPlan::new);
    }

    /** Valid definitions: the kinds follow the parser's rules, so every generated one parses. */
    private Arbitrary<SagaSpec> sagas() {
        Arbitrary<Integer> deadline = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0)),
                Tuple.of(2, Arbitraries.integers().between(2_000, 30_000)));
        return Arbitraries.integers().between(1, 6).flatMap(n -> Combinators.combine(
                kinds(n), stepTunings().list().ofSize(n), deadline).as((kinds, tunings, deadlineMs) -> {
                    List<StepSpec> steps = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        StepSpec t = tunings.get(i);
                        StepKind kind = kinds.get(i);
                        steps.add(new StepSpec(kind, kind == StepKind.COMPENSATABLE || t.compensation(), t.timeoutMs(),
                                t.maxAttempts(), t.initialBackoffMs(), t.multiplier(), t.maxBackoffMs(), t.jitter()));
                    }
                    return new SagaSpec(steps, deadlineMs);
                }));
    }

    /**
     * Kinds of n steps: with a pivot, compensatable steps before it and retriable ones after it; without one,
     * compensatable steps and then a tail of retriable ones.
     */
    private static Arbitrary<List<StepKind>> kinds(int n) {
        Arbitrary<Integer> pivot = Arbitraries.integers().between(-1, n - 1); // -1: no pivot
        Arbitrary<Integer> retriableTail = Arbitraries.integers().between(0, n);
        return Combinators.combine(pivot, retriableTail).as((p, r) -> {
            List<StepKind> kinds = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (p >= 0) {
                    kinds.add(i < p ? StepKind.COMPENSATABLE : i == p ? StepKind.PIVOT : StepKind.RETRIABLE);
                } else {
                    kinds.add(i < n - r ? StepKind.COMPENSATABLE : StepKind.RETRIABLE);
                }
            }
            return kinds;
        });
    }

    /** Everything about a step but its kind; {@code compensation} only matters for pivot and retriable steps. */
    private static Arbitrary<StepSpec> stepTunings() {
        Arbitrary<Boolean> compensation = Arbitraries.of(false, true);
        Arbitrary<Integer> timeoutMs = Arbitraries.integers().between(2, 20).map(q -> q * 250);
        Arbitrary<Integer> maxAttempts = Arbitraries.integers().between(1, 4);
        Arbitrary<Integer> initialBackoffMs = Arbitraries.integers().between(50, 2_000);
        Arbitrary<Double> multiplier = Arbitraries.doubles().between(1.0, 3.0).ofScale(2);
        Arbitrary<Integer> capFactor = Arbitraries.integers().between(1, 8);
        Arbitrary<Double> jitter = Arbitraries.doubles().between(0.0, 0.5).ofScale(2);
        return Combinators.combine(compensation, timeoutMs, maxAttempts, initialBackoffMs, multiplier, capFactor, jitter)
                .as((comp, timeout, attempts, backoff, mult, cap, jit) -> new StepSpec(StepKind.COMPENSATABLE, comp,
                        timeout, attempts, backoff, mult, backoff * cap, jit));
    }

    /** Mostly well-behaved participants; the benign choice comes first, so failures shrink towards it. */
    private static Arbitrary<Reaction> reactions() {
        Arbitrary<Outcome> outcome = Arbitraries.frequency(
                Tuple.of(6, Outcome.SUCCEEDED), Tuple.of(3, Outcome.FAILED_TRANSIENT), Tuple.of(1, Outcome.FAILED_PERMANENT));
        Arbitrary<Fate> fate = Arbitraries.frequency(
                Tuple.of(6, Fate.ANSWER), Tuple.of(1, Fate.REQUEST_LOST), Tuple.of(1, Fate.ANSWER_LOST));
        Arbitrary<Integer> delay = Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.integers().between(0, 300)),
                Tuple.of(1, Arbitraries.integers().between(300, 10_000)));
        Arbitrary<Integer> extraAnswers = Arbitraries.frequency(Tuple.of(6, 0), Tuple.of(2, 1), Tuple.of(1, 2));
        Arbitrary<Integer> spacing = Arbitraries.integers().between(0, 5_000);
        Arbitrary<Boolean> duplicateRequest = Arbitraries.frequency(Tuple.of(9, false), Tuple.of(1, true));
        return Combinators.combine(outcome, fate, delay, delay, extraAnswers, spacing, duplicateRequest)
                .as(Reaction::new);
    }
}
