package io.sagalog.engine;

import io.sagalog.engine.Input.OperatorCommand;

/**
 * Operators' actions: applied where the transaction stands ({@link OperatorActions#stopPoint}) when they fit
 * ({@link OperatorActions#refusal}), refused with why otherwise; journaled either way, and once per action id.
 */
final class OperatorPath {
    private final Moves moves;
    private final RetentionPath retention;

    OperatorPath(Moves moves, RetentionPath retention) {
        this.moves = moves;
        this.retention = retention;
    }

    void act(Work w, OperatorCommand command) {
        if (w.state().operatorActions().contains(command.actionId())) {
            w.emit(new JournalEvent.OperatorActionIgnored(command.actionId(), "action " + command.actionId()
                    + " was already applied; a repeat changes nothing"));
            return;
        }
        Definition definition = moves.definitionOf(w);
        java.util.Optional<String> refusal = OperatorActions.refusal(w.state(), definition, command);
        // Refused ids are remembered too: one action id has one outcome, whatever happens later.
        w.state(w.state().withOperatorAction(command.actionId()));
        if (refusal.isPresent()) {
            w.emit(new JournalEvent.OperatorActionRefused(command.actionId(), command.action(), command.actor(),
                    refusal.get()));
            return;
        }
        if (command.action().isAboutRetention()) {
            // Hold and release are about the whole transaction and how long it is kept, never about a step.
            w.emit(new JournalEvent.OperatorActed(command.actionId(), command.action(), null, command.actor(),
                    command.reason(), command.force()));
            if (command.action() == OperatorAction.HOLD) {
                retention.hold(w);
            } else {
                retention.release(w);
            }
            return;
        }
        // Every action applies where the transaction stands (refusal() refuses a step named otherwise).
        OperatorActions.StopPoint at = OperatorActions.stopPoint(w.state());
        int i = at.index();
        String stepName = i < 0 ? null : w.state().step(i).name();
        w.emit(new JournalEvent.OperatorActed(command.actionId(), command.action(), stepName, command.actor(),
                command.reason(), command.force()));
        switch (command.action()) {
            case RETRY, RESUME -> {
                Moves.cancelTimersOf(w, stepName);
                StepState step = w.state().step(i);
                boolean action = at.phase() == Phase.ACTION;
                w.become(action ? TxStatus.RUNNING : TxStatus.COMPENSATING, null);
                moves.dispatch(w, definition, i, at.phase(), (action ? step.attempt() : step.compensationAttempt()) + 1);
            }
            case SKIP -> {
                Moves.cancelTimersOf(w, stepName);
                if (at.phase() == Phase.ACTION) {
                    w.become(TxStatus.RUNNING, null);
                    moves.stepDone(w, definition, i, command.output() == null ? "{}" : command.output(),
                            w.state().step(i).attempt());
                } else {
                    w.become(TxStatus.COMPENSATING, null);
                    moves.compensated(w, definition, i, w.state().step(i).compensationAttempt());
                }
            }
            case ROLLBACK -> {
                java.util.Map<String, String> facts = new java.util.TreeMap<>();
                facts.put("actor", String.valueOf(command.actor()));
                facts.put("forced", Boolean.toString(command.force()));
                OperatorActions.succeededPivot(w.state(), definition).ifPresent(p -> facts.put("pivotSucceeded", p));
                Choice choice = new Choice.RollBack(Rule.OPERATOR_ROLLBACK,
                        "an operator rolled the transaction back: " + command.reason(), facts);
                moves.carryOut(w, definition, moves.stopForRollback(w, i), Phase.ACTION, choice);
            }
            case RESOLVE -> {
                w.cancelAllTimers();
                w.become(TxStatus.RESOLVED, command.reason());
                w.emit(new JournalEvent.TxResolved(command.reason()));
            }
            case HOLD, RELEASE -> throw new IllegalStateException("handled above");
        }
    }

    /** An operator action for a transaction that is finished or never existed: refused, and journaled if it exists. */
    void refuse(Work w, OperatorCommand command) {
        if (w.state() == null) {
            w.storeNothing();
        }
        String reason = w.state() == null ? "there is no transaction " + w.txId
                : "the transaction is already " + w.status() + "; there is nothing left to " + command.action().wireName();
        w.emit(new JournalEvent.OperatorActionRefused(command.actionId(), command.action(), command.actor(), reason));
    }
}
