package io.sagalog.engine;

import io.sagalog.engine.Input.StepResult;
import io.sagalog.engine.JournalEvent.CompensationTimedOut;
import io.sagalog.engine.JournalEvent.RequestIgnored;
import io.sagalog.engine.JournalEvent.ResultIgnored;
import io.sagalog.engine.JournalEvent.TxCompleted;
import io.sagalog.engine.RecoveryRules.Failure;

/**
 * Inputs that change nothing (a duplicate request, a late result, a stale timer: recorded where a transaction
 * exists, never acted on), and the sweep's repair of a transaction in flight that lost its timers.
 */
final class QuietInputs {
    private final Moves moves;
    private final ForwardPath forward;
    private final RollbackPath rollback;

    QuietInputs(Moves moves, ForwardPath forward, RollbackPath rollback) {
        this.moves = moves;
        this.forward = forward;
        this.rollback = rollback;
    }

    void ignoreResult(Work w, StepResult result) {
        Moves.ignore(w, result, "late or duplicate: the transaction is " + w.status());
    }

    void ignoreRequest(Work w, Input input) {
        w.emit(new RequestIgnored("duplicate request: transaction " + w.txId + " already exists and is "
                + w.status()));
    }

    void unknownTransaction(Work w, StepResult result) {
        w.storeNothing();
        w.emit(new ResultIgnored(result.step(), result.attempt(), result.phase(), result.outcome(),
                "no transaction " + w.txId + " was ever requested"));
    }

    /** A timer that is no longer wanted (the transaction moved on); it leaves no trace. */
    void staleTimer(Work w, Input input) {
        if (w.state() == null) {
            w.storeNothing();
        }
    }

    /**
     * A transaction in flight must always have a timer (an outstanding attempt has its timeout, a waiting retry its
     * backoff). One without any would never move again; this puts it back on its way as its lost timer would have:
     * an outstanding attempt counts as timed out (its outcome is unknown), a waiting retry is dispatched.
     */
    void repairTimers(Work w, Input input) {
        if (!w.state().timers().isEmpty()) {
            return; // the sweep raced with a decision that scheduled one: nothing to repair
        }
        Definition definition = moves.definitionOf(w);
        w.emit(new JournalEvent.TimersRepaired("the transaction was " + w.status() + " without any timer, so nothing "
                + "would have moved it again; the engine's sweep repaired it"));
        if (w.status() == TxStatus.RUNNING) {
            int i = OperatorActions.stopPoint(w.state()).index();
            if (i < 0) {
                w.cancelAllTimers();
                w.become(TxStatus.COMPLETED, null);
                w.emit(new TxCompleted());
                return;
            }
            StepState step = w.state().step(i);
            if (step.status() == StepStatus.RUNNING) {
                forward.timedOut(w, i, step.attempt());
            } else {
                moves.dispatchAction(w, definition, i, step.attempt() + 1);
            }
            return;
        }
        if (w.state().compensationPlan().isEmpty()) {
            moves.continueRollback(w, definition);
            return;
        }
        int i = w.state().indexOf(w.state().compensationPlan().get(0));
        StepState step = w.state().step(i);
        if (step.status() == StepStatus.COMPENSATING) {
            w.emit(new CompensationTimedOut(step.name(), step.compensationAttempt()));
            rollback.recover(w, i, Failure.UNKNOWN);
        } else {
            moves.dispatchCompensation(w, definition, i, step.compensationAttempt() + 1);
        }
    }
}
