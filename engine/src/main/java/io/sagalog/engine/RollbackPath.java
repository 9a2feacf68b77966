package io.sagalog.engine;

import io.sagalog.engine.Input.StepResult;
import io.sagalog.engine.Input.TimerFired;
import io.sagalog.engine.JournalEvent.CompensationFailed;
import io.sagalog.engine.JournalEvent.CompensationTimedOut;
import io.sagalog.engine.JournalEvent.RecoveryDecided;
import io.sagalog.engine.JournalEvent.StepSucceeded;
import io.sagalog.engine.RecoveryRules.Failure;
import java.util.ArrayList;
import java.util.List;

/** The way back: compensations one at a time in plan order, their failures and timeouts, and late successes. */
final class RollbackPath {
    private final Moves moves;

    RollbackPath(Moves moves) {
        this.moves = moves;
    }

    void compensateNext(Work w, StepResult result) {
        int i = Moves.takeOutstanding(w, result);
        if (i >= 0) {
            moves.compensated(w, moves.definitionOf(w), i, result.attempt());
        }
    }

    void retryCompensation(Work w, StepResult result) {
        int i = Moves.takeOutstanding(w, result);
        if (i < 0) {
            return;
        }
        w.updateStep(i, w.state().step(i).withError(result.error()));
        w.emit(new CompensationFailed(result.step(), result.attempt(), result.outcome(), result.error()));
        recover(w, i, Failure.of(result.outcome()));
    }

    void compensationTimedOut(Work w, TimerFired fired) {
        Timer timer = Moves.takeTimer(w, fired, Phase.COMPENSATION);
        if (timer == null) {
            return;
        }
        int i = w.state().indexOf(timer.step());
        w.updateStep(i, w.state().step(i).withError("no result within the step's timeout (compensation attempt "
                + timer.attempt() + ")"));
        w.emit(new CompensationTimedOut(timer.step(), timer.attempt()));
        recover(w, i, Failure.UNKNOWN);
    }

    void retryCompensationAfterBackoff(Work w, TimerFired fired) {
        Timer timer = Moves.takeTimer(w, fired, Phase.COMPENSATION);
        if (timer != null) {
            moves.dispatchCompensation(w, moves.definitionOf(w), w.state().indexOf(timer.step()), timer.attempt());
        }
    }

    /** Step {@code i}'s compensation failed (or timed out): retried after a backoff while its budget lasts. */
    void recover(Work w, int i, Failure failure) {
        Definition definition = moves.definitionOf(w);
        moves.carryOut(w, definition, i, Phase.COMPENSATION,
                RecoveryRules.afterCompensationFailure(definition, w.state(), i, failure, w.now));
    }

    /**
     * A success for an action attempt the engine no longer waits for, after the rollback began (COMPENSATING,
     * ROLLED_BACK, or PARKED on the way back) or while parked: the effect is real. A step whose compensation has not
     * run gets it planned (and dispatched when the rollback reaches it, at once if it had ended); a step that cannot
     * be compensated (pivot, retriable) parks the transaction so an operator reconciles it. Journaled either way.
     */
    void lateSuccess(Work w, StepResult result) {
        int i = w.state().indexOf(result.step());
        if (i < 0 || result.attempt() < 1 || result.attempt() > w.state().step(i).attempt()) {
            Moves.ignore(w, result, "no action attempt " + result.attempt() + " of " + result.step() + " was dispatched");
            return;
        }
        StepState step = w.state().step(i);
        boolean rollingBack = w.status() != TxStatus.PARKED || !w.state().compensationPlan().isEmpty();
        boolean covered = step.status() == StepStatus.COMPENSATED || step.status() == StepStatus.COMPENSATING
                || step.status() == StepStatus.COMPENSATION_RETRY_WAIT || w.state().compensationPlan().contains(step.name())
                || (step.status() == StepStatus.SUCCEEDED && rollingBack);
        if (covered) {
            Moves.ignore(w, result, "late or duplicate: the effect of " + step.name() + " is already counted and "
                    + (step.status() == StepStatus.COMPENSATED ? "compensated" : "part of the rollback"));
            return;
        }
        if (!rollingBack) {
            // Parked on the way forward: the step did succeed after all. Record it; whoever resumes goes on from there.
            if (step.status() != StepStatus.SUCCEEDED) {
                w.updateStep(i, step.succeeded(result.output()));
                w.emit(new StepSucceeded(step.name(), result.attempt()));
            } else {
                Moves.ignore(w, result, "duplicate: " + step.name() + " already succeeded");
            }
            return;
        }
        Definition definition = moves.definitionOf(w);
        // Only a compensatable step is undone automatically; a pivot is the point of no return (its outcome is never
        // undone behind an operator's back, as with an unknown pivot outcome) and a retriable step has no undo.
        if (definition.step(i).kind() != StepKind.COMPENSATABLE || !definition.step(i).hasCompensation()) {
            parkForLateEffect(w, definition, i, result);
            return;
        }
        w.updateStep(i, step.succeeded(result.output()));
        w.emit(new JournalEvent.LateEffectCompensated(step.name(), result.attempt(), step.name() + " succeeded after "
                + "the rollback began; its compensation is planned"));
        List<String> plan = new ArrayList<>(w.state().compensationPlan());
        // The head of a running rollback is in flight; the late step goes right after it.
        plan.add(plan.isEmpty() ? 0 : 1, step.name());
        w.state(w.state().withCompensationPlan(plan));
        if (w.status() == TxStatus.ROLLED_BACK) {
            w.become(TxStatus.COMPENSATING, null);
            moves.continueRollback(w, definition);
        }
    }

    private static void parkForLateEffect(Work w, Definition definition, int i, StepResult result) {
        StepState step = w.state().step(i);
        java.util.Map<String, String> facts = new java.util.LinkedHashMap<>();
        facts.put("step", step.name());
        facts.put("attempt", Integer.toString(result.attempt()));
        facts.put("kind", definition.step(i).kind().jsonName());
        facts.put("statusWhenItArrived", w.status().name());
        Rule rule = Rule.LATE_EFFECT_AFTER_ROLLBACK;
        w.emit(new RecoveryDecided(rule.direction(), rule.id(), step.name() + " succeeded (attempt " + result.attempt()
                + ") after the rollback began and has no compensation; an operator must reconcile it", facts));
        w.updateStep(i, step.succeeded(result.output()));
        Moves.park(w, rule.id() + ": " + step.name() + " succeeded after the rollback began and cannot be compensated; "
                + "reconcile it by hand, then resolve");
    }
}
