package io.sagalog.engine;

import io.sagalog.engine.Input.StepResult;
import io.sagalog.engine.Input.TimerFired;
import io.sagalog.engine.Input.TxRequested;
import io.sagalog.engine.JournalEvent.DeadlinePassed;
import io.sagalog.engine.JournalEvent.StepFailed;
import io.sagalog.engine.JournalEvent.StepTimedOut;
import io.sagalog.engine.JournalEvent.TxStarted;
import io.sagalog.engine.RecoveryRules.Failure;
import java.util.List;

/** The way forward: start, each step's success, and what a failure, a timeout or the deadline decide. */
final class ForwardPath {
    private final Moves moves;
    private final WaitingPath waiting;

    ForwardPath(Moves moves, WaitingPath waiting) {
        this.moves = moves;
        this.waiting = waiting;
    }

    void start(Work w, TxRequested request) {
        Definition definition = moves.registrations.definitions().latest(request.definition()).orElse(null);
        int version = definition == null ? 0 : definition.version();
        List<StepState> steps = definition == null ? List.of()
                : definition.steps().stream().map(s -> StepState.pending(s.name())).toList();
        w.state(new TxState(w.txId, request.definition(), version, TxStatus.RUNNING, request.input(), steps,
                List.of(), 0, w.now, w.now, null, definition == null ? w.now : w.now.plus(definition.deadline()),
                List.of(), List.of()));
        w.emit(new TxStarted(request.definition(), version));
        if (definition == null) {
            waiting.waitForDefinition(w, request.definition());
            return;
        }
        w.schedule(Timer.deadline(w.state().deadline()));
        moves.dispatchAction(w, definition, 0, 1);
    }

    void advance(Work w, StepResult result) {
        Definition definition = moves.definitionOf(w);
        int late = earlierAttemptOfCurrentStep(w, result);
        if (late >= 0) {
            // An earlier attempt of the step the transaction waits on did succeed after all (its answer was slow,
            // or a copy of its request ran): the effect is real and every attempt shares the idempotency key, so it
            // is the step's success. Ignoring it could leave the effect behind if the step later rolled back.
            Moves.cancelTimersOf(w, result.step());
            moves.stepDone(w, definition, late, result.output(), result.attempt());
            return;
        }
        int i = Moves.takeOutstanding(w, result);
        if (i >= 0) {
            moves.stepDone(w, definition, i, result.output(), result.attempt());
        }
    }

    /** The index of the current step if the result is a success of one of its earlier attempts, else -1. */
    private static int earlierAttemptOfCurrentStep(Work w, StepResult result) {
        int i = Moves.currentStep(w.state());
        if (i < 0 || !w.state().step(i).name().equals(result.step()) || result.attempt() < 1) {
            return -1;
        }
        StepState step = w.state().step(i);
        boolean outstanding = w.outstandingTimeout(result.step(), result.attempt(), Phase.ACTION) != null;
        return !outstanding && result.attempt() < step.attempt() + (step.status() == StepStatus.RETRY_WAIT ? 1 : 0)
                ? i : -1;
    }

    void recover(Work w, StepResult result) {
        int i = Moves.takeOutstanding(w, result);
        if (i < 0) {
            return;
        }
        StepState failed = w.state().step(i).failed(result.error());
        // The transport could not tell whether the call reached the participant: the action may have happened.
        w.updateStep(i, result.outcome() == Outcome.UNKNOWN ? failed.inDoubt(result.error()) : failed);
        w.emit(new StepFailed(result.step(), result.attempt(), result.outcome(), result.error()));
        Definition definition = moves.definitionOf(w);
        moves.carryOut(w, definition, i, Phase.ACTION, RecoveryRules.afterActionFailure(definition, w.state(), i,
                Failure.of(result.outcome()), w.now));
    }

    void actionTimedOut(Work w, TimerFired fired) {
        Timer timer = Moves.takeTimer(w, fired, Phase.ACTION);
        if (timer != null) {
            timedOut(w, w.state().indexOf(timer.step()), timer.attempt());
        }
    }

    /** Step {@code i}'s outstanding attempt counts as timed out: its outcome is unknown, recovery decides. */
    void timedOut(Work w, int i, int attempt) {
        StepState step = w.state().step(i);
        w.updateStep(i, step.timedOut().with(StepStatus.FAILED));
        w.emit(new StepTimedOut(step.name(), attempt));
        Definition definition = moves.definitionOf(w);
        moves.carryOut(w, definition, i, Phase.ACTION,
                RecoveryRules.afterActionFailure(definition, w.state(), i, Failure.UNKNOWN, w.now));
    }

    void retryAction(Work w, TimerFired fired) {
        Timer timer = Moves.takeTimer(w, fired, Phase.ACTION);
        if (timer != null) {
            moves.dispatchAction(w, moves.definitionOf(w), w.state().indexOf(timer.step()), timer.attempt());
        }
    }

    void deadlinePassed(Work w, TimerFired fired) {
        if (Moves.takeTimer(w, fired) == null) {
            return;
        }
        w.emit(new DeadlinePassed());
        Definition definition = moves.definitionOf(w);
        int current = Moves.currentStep(w.state());
        Choice choice = RecoveryRules.afterDeadline(definition, w.state(), current, w.now);
        int from = choice instanceof Choice.RollBack ? moves.stopForRollback(w, current) : current;
        moves.carryOut(w, definition, from, Phase.ACTION, choice);
    }
}
