package io.sagalog.engine;

import io.sagalog.engine.Input.TimerFired;
import io.sagalog.engine.JournalEvent.TxStarted;
import java.util.List;

/**
 * Waiting for what an instance does not know yet: a definition registered on another instance a moment ago (or a
 * registry that lags), or a participant that is not registered. The transaction waits parked with a reason, looks
 * again after {@link Moves#recheckAfter}, and goes on by itself once it is known. A backoff timer without a step
 * stands for "start"; one with a step for "dispatch that step".
 */
final class WaitingPath {
    private final Moves moves;

    WaitingPath(Moves moves) {
        this.moves = moves;
    }

    void waitForDefinition(Work w, String definition) {
        String reason = "definition '" + definition + "' is not known to this engine yet; the transaction starts "
                + "once it is";
        if (w.status() != TxStatus.PARKED) {
            Moves.park(w, reason);
        }
        w.schedule(Timer.backoff(w.now.plus(Moves.recheckAfter(w)), null, 0, Phase.ACTION));
    }

    /** A waiting transaction looks again: it starts or resumes once what it waits for is known. */
    void lookAgain(Work w, TimerFired fired) {
        Timer timer = Moves.takeTimer(w, fired);
        if (timer == null) {
            return;
        }
        if (timer.step() == null) {
            startWhenDefinitionKnown(w);
            return;
        }
        Definition definition = moves.definitionOf(w);
        int i = w.state().indexOf(timer.step());
        if (!moves.registrations.isRegistered(definition.step(i).participant())) {
            w.schedule(Timer.backoff(w.now.plus(Moves.recheckAfter(w)), timer.step(), timer.attempt(), timer.phase()));
            return;
        }
        if (timer.phase() == Phase.ACTION) {
            w.become(TxStatus.RUNNING, null);
            w.schedule(Timer.deadline(w.state().deadline()));
        } else {
            w.become(TxStatus.COMPENSATING, null);
        }
        moves.dispatch(w, definition, i, timer.phase(), timer.attempt());
    }

    private void startWhenDefinitionKnown(Work w) {
        Definition definition = moves.registrations.definitions().latest(w.state().definition()).orElse(null);
        if (definition == null) {
            w.schedule(Timer.backoff(w.now.plus(Moves.recheckAfter(w)), null, 0, Phase.ACTION));
            return;
        }
        TxState s = w.state();
        w.state(new TxState(s.txId(), s.definition(), definition.version(), TxStatus.RUNNING, s.input(),
                definition.steps().stream().map(step -> StepState.pending(step.name())).toList(), List.of(),
                s.nextSeq(), s.createdAt(), s.updatedAt(), null, w.now.plus(definition.deadline()), s.timers(),
                s.operatorActions()));
        w.emit(new TxStarted(definition.name(), definition.version()));
        w.schedule(Timer.deadline(w.state().deadline()));
        moves.dispatchAction(w, definition, 0, 1);
    }
}
