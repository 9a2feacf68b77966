package io.sagalog.engine;

import io.sagalog.engine.Input.StepResult;
import io.sagalog.engine.JournalEvent.CompensationDispatched;
import io.sagalog.engine.JournalEvent.RecoveryDecided;
import io.sagalog.engine.JournalEvent.ResultIgnored;
import io.sagalog.engine.JournalEvent.RetryScheduled;
import io.sagalog.engine.JournalEvent.StepCompensated;
import io.sagalog.engine.JournalEvent.StepDispatched;
import io.sagalog.engine.JournalEvent.StepSucceeded;
import io.sagalog.engine.JournalEvent.TxCompleted;
import io.sagalog.engine.JournalEvent.TxParked;
import io.sagalog.engine.JournalEvent.TxRolledBack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The moves every path of the {@link TransitionTable} is made of: dispatch a step's action or compensation, finish a
 * step, carry out a recovery {@link Choice}, start and continue a rollback, park. Each move changes the {@link Work}
 * (state, journal, timers, step requests) and nothing else.
 */
final class Moves {
    /** How often a transaction waiting for an unregistered participant (or definition) looks again, at first. */
    static final Duration PARTICIPANT_RECHECK = Duration.ofSeconds(2);
    /** The longest wait between two looks: each look is a record on the control log and a state write. */
    static final Duration MAX_RECHECK = Duration.ofSeconds(30);
    /** Default bound of a step request's input plus context: below Kafka's default max.message.bytes (1 MiB). */
    static final long DEFAULT_MAX_STEP_REQUEST_BYTES = 900 * 1024;

    final Registrations registrations;
    private final long maxStepRequestBytes;

    Moves(Registrations registrations, long maxStepRequestBytes) {
        this.registrations = registrations;
        this.maxStepRequestBytes = maxStepRequestBytes;
    }

    Definition definitionOf(Work w) {
        return registrations.definitions().find(w.state().definition(), w.state().definitionVersion())
                .orElseThrow(() -> new IllegalStateException("definition " + w.state().definition() + " version "
                        + w.state().definitionVersion() + " of transaction " + w.txId + " is not loaded"));
    }

    // ---- dispatching ----------------------------------------------------------------------------------------

    void dispatchAction(Work w, Definition definition, int index, int attempt) {
        StepDefinition step = definition.step(index);
        if (waitForParticipant(w, step, attempt, Phase.ACTION) || tooLargeToSend(w, step, Phase.ACTION)) {
            return;
        }
        w.updateStep(index, w.state().step(index).dispatched(attempt));
        w.emit(new StepDispatched(step.name(), attempt, step.participant(), step.action()));
        w.dispatch(step, Phase.ACTION, attempt);
    }

    void dispatchCompensation(Work w, Definition definition, int index, int attempt) {
        StepDefinition step = definition.step(index);
        if (waitForParticipant(w, step, attempt, Phase.COMPENSATION) || tooLargeToSend(w, step, Phase.COMPENSATION)) {
            return;
        }
        w.updateStep(index, w.state().step(index).compensating(attempt));
        w.emit(new CompensationDispatched(step.name(), attempt, step.participant(), step.compensation()));
        w.dispatch(step, Phase.COMPENSATION, attempt);
    }

    /** Dispatches the step of the given phase again, as attempt {@code attempt}. */
    void dispatch(Work w, Definition definition, int index, Phase phase, int attempt) {
        if (phase == Phase.ACTION) {
            dispatchAction(w, definition, index, attempt);
        } else {
            dispatchCompensation(w, definition, index, attempt);
        }
    }

    /**
     * A step request carries the input and every earlier output; one that is larger than a Kafka record may be can
     * never be delivered, so the transaction parks with the sizes instead of failing on the way out.
     */
    private boolean tooLargeToSend(Work w, StepDefinition step, Phase phase) {
        long bytes = w.stepRequestBytes();
        if (bytes <= maxStepRequestBytes) {
            return false;
        }
        java.util.Map<String, String> facts = new java.util.LinkedHashMap<>();
        facts.put("step", step.name());
        facts.put("phase", phase.name());
        facts.put("requestBytes", Long.toString(bytes));
        facts.put("maxBytes", Long.toString(maxStepRequestBytes));
        String reason = "the " + phase.keyWord() + " request of " + step.name() + " would carry " + bytes
                + " bytes of input and earlier outputs, more than the " + maxStepRequestBytes + " a step request may have";
        w.emit(new RecoveryDecided(JournalEvent.Direction.PARK, Rule.STEP_REQUEST_TOO_LARGE.id(), reason, facts));
        park(w, Rule.STEP_REQUEST_TOO_LARGE.id() + ": " + reason);
        return true;
    }

    /**
     * A step whose participant is not registered cannot be sent anywhere: the transaction parks with a reason that
     * says so, and looks again (a backoff timer of the step) until the participant registers ({@link WaitingPath}).
     */
    private boolean waitForParticipant(Work w, StepDefinition step, int attempt, Phase phase) {
        if (registrations.isRegistered(step.participant())) {
            return false;
        }
        String reason = "participant '" + step.participant() + "' of step " + step.name()
                + " is not registered; the transaction continues once it is";
        if (w.status() != TxStatus.PARKED) {
            park(w, reason);
        }
        w.schedule(Timer.backoff(w.now.plus(recheckAfter(w)), step.name(), attempt, phase));
        return true;
    }

    /**
     * How long a waiting transaction waits before it looks again: {@link #PARTICIPANT_RECHECK} at first, then a tenth
     * of its age, at most {@link #MAX_RECHECK}; a registration that comes soon is seen at once, and thousands of
     * transactions waiting for hours cost one look each per 30 s, not per 2 s. From the record time: replays agree.
     */
    static Duration recheckAfter(Work w) {
        Duration tenthOfAge = Duration.between(w.state().createdAt(), w.now).dividedBy(10);
        return tenthOfAge.compareTo(PARTICIPANT_RECHECK) < 0 ? PARTICIPANT_RECHECK
                : tenthOfAge.compareTo(MAX_RECHECK) > 0 ? MAX_RECHECK : tenthOfAge;
    }

    // ---- the way forward ------------------------------------------------------------------------------------

    /** A step's action succeeded (or an operator skipped it): record it, then the next step or the end. */
    void stepDone(Work w, Definition definition, int i, String output, int attempt) {
        w.updateStep(i, w.state().step(i).succeeded(output));
        w.emit(new StepSucceeded(definition.step(i).name(), attempt));
        if (i + 1 < definition.steps().size()) {
            dispatchAction(w, definition, i + 1, 1);
        } else {
            w.cancelAllTimers();
            w.become(TxStatus.COMPLETED, null);
            w.emit(new TxCompleted());
        }
    }

    // ---- recovery -------------------------------------------------------------------------------------------

    /**
     * Journals the choice and carries it out, the one place that does: retry step {@code i}'s attempt of the given
     * phase after its backoff, go on, roll back from step {@code i} (the step that failed, already marked), or park.
     */
    void carryOut(Work w, Definition definition, int i, Phase phase, Choice choice) {
        w.emit(new RecoveryDecided(choice.direction(), choice.rule().id(), choice.reason(), choice.facts()));
        if (choice instanceof Choice.Retry retry) {
            StepState step = w.state().step(i);
            boolean action = phase == Phase.ACTION;
            int next = (action ? step.attempt() : step.compensationAttempt()) + 1;
            w.updateStep(i, step.with(action ? StepStatus.RETRY_WAIT : StepStatus.COMPENSATION_RETRY_WAIT));
            w.schedule(Timer.backoff(retry.at(), definition.step(i).name(), next, phase));
            w.emit(new RetryScheduled(definition.step(i).name(), next, phase, retry.at()));
        } else if (choice instanceof Choice.RollBack) {
            startRollback(w, definition, i);
        } else if (choice instanceof Choice.Park) {
            park(w, choice.reason());
        } // Choice.GoOn: nothing to do

    }

    /**
     * Stops the step the transaction stands at before a rollback that did not come from its own failure (the deadline,
     * an operator): its timers go, and an attempt still outstanding counts as in doubt (its effect may have happened,
     * so the rollback compensates it). Returns where the rollback starts: that step, or past the last one.
     */
    int stopForRollback(Work w, int current) {
        if (current < 0) {
            return w.state().steps().size();
        }
        StepState step = w.state().step(current);
        cancelTimersOf(w, step.name());
        w.updateStep(current, (step.status() == StepStatus.RUNNING ? step.timedOut() : step).with(StepStatus.FAILED));
        return current;
    }

    // ---- rollback -------------------------------------------------------------------------------------------

    /**
     * Plans the rollback from step {@code failedIndex} ({@link RollbackPlan}: that step when its action may have
     * happened, then every completed step before it with a compensation, newest first) and starts it.
     */
    void startRollback(Work w, Definition definition, int failedIndex) {
        List<String> plan = RollbackPlan.from(w.state(), definition, failedIndex);
        // The deadline only bounds the way forward; a rollback runs to its end.
        w.state().timers().stream().filter(t -> t.kind() == Timer.Kind.DEADLINE).toList().forEach(w::cancel);
        w.state(w.state().withCompensationPlan(plan));
        w.become(TxStatus.COMPENSATING, null);
        continueRollback(w, definition);
    }

    /** Dispatches the head of the plan, or ends the rollback when the plan is empty. */
    void continueRollback(Work w, Definition definition) {
        if (w.state().compensationPlan().isEmpty()) {
            w.cancelAllTimers();
            w.become(TxStatus.ROLLED_BACK, null);
            w.emit(new TxRolledBack());
            return;
        }
        dispatchCompensation(w, definition, definition.indexOf(w.state().compensationPlan().get(0)), 1);
    }

    /** Step {@code i} is compensated (or an operator skipped its compensation): off the plan, on with the rest. */
    void compensated(Work w, Definition definition, int i, int attempt) {
        String name = w.state().step(i).name();
        w.updateStep(i, w.state().step(i).compensated());
        w.emit(new StepCompensated(name, attempt));
        List<String> plan = new ArrayList<>(w.state().compensationPlan());
        plan.remove(name);
        w.state(w.state().withCompensationPlan(plan));
        continueRollback(w, definition);
    }

    // ---- small things ---------------------------------------------------------------------------------------

    static void park(Work w, String reason) {
        w.cancelAllTimers();
        w.become(TxStatus.PARKED, reason);
        w.emit(new TxParked(reason));
    }

    static void ignore(Work w, StepResult result, String reason) {
        w.emit(new ResultIgnored(result.step(), result.attempt(), result.phase(), result.outcome(), reason));
    }

    /**
     * Index of the step this result answers, with its timeout timer cancelled; or -1 (and the result journaled
     * as ignored) when it answers nothing outstanding: an older attempt, a duplicate, or a timed-out attempt.
     * Results are deduplicated by (step, attempt, phase): an attempt is outstanding exactly while its timeout
     * timer is active.
     */
    static int takeOutstanding(Work w, StepResult result) {
        Timer timeout = w.outstandingTimeout(result.step(), result.attempt(), result.phase());
        if (timeout == null) {
            ignore(w, result, "no " + result.phase().keyWord() + " attempt " + result.attempt() + " of "
                    + result.step() + " is outstanding (late, duplicate or timed out)");
            return -1;
        }
        w.cancel(timeout);
        return w.state().indexOf(result.step());
    }

    /** The fired timer, removed from the state; null when it is no longer active (stale). */
    static Timer takeTimer(Work w, Input.TimerFired fired) {
        Timer timer = fired.timer();
        if (!w.state().timers().contains(timer)) {
            return null;
        }
        w.cancel(timer);
        return timer;
    }

    /**
     * The fired timer if it belongs to the given phase. A step timer of the other phase (an action's timeout that
     * outlived the start of a rollback, say) is removed and changes nothing: it must never be read as a timeout of
     * the phase the transaction is in now.
     */
    static Timer takeTimer(Work w, Input.TimerFired fired, Phase phase) {
        Timer timer = takeTimer(w, fired);
        return timer == null || timer.phase() != phase ? null : timer;
    }

    static void cancelTimersOf(Work w, String step) {
        if (step == null) {
            return;
        }
        w.state().timers().stream().filter(t -> step.equals(t.step())).toList().forEach(w::cancel);
    }

    /** The step the forward path is at (outstanding or waiting to retry), or -1. */
    static int currentStep(TxState state) {
        for (int i = 0; i < state.steps().size(); i++) {
            StepStatus s = state.step(i).status();
            if (s == StepStatus.RUNNING || s == StepStatus.RETRY_WAIT) {
                return i;
            }
        }
        return -1;
    }
}
