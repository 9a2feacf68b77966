package io.sagalog.engine;

import io.sagalog.engine.Input.StepResult;
import io.sagalog.engine.Input.TimerFired;
import io.sagalog.engine.Input.TxRequested;
import io.sagalog.engine.JournalEvent.CompensationDispatched;
import io.sagalog.engine.JournalEvent.CompensationFailed;
import io.sagalog.engine.JournalEvent.CompensationTimedOut;
import io.sagalog.engine.JournalEvent.DeadlinePassed;
import io.sagalog.engine.JournalEvent.RecoveryDecided;
import io.sagalog.engine.JournalEvent.RequestIgnored;
import io.sagalog.engine.JournalEvent.ResultIgnored;
import io.sagalog.engine.JournalEvent.RetryScheduled;
import io.sagalog.engine.JournalEvent.StepCompensated;
import io.sagalog.engine.JournalEvent.StepDispatched;
import io.sagalog.engine.JournalEvent.StepFailed;
import io.sagalog.engine.JournalEvent.StepSucceeded;
import io.sagalog.engine.JournalEvent.StepTimedOut;
import io.sagalog.engine.JournalEvent.TxCompleted;
import io.sagalog.engine.JournalEvent.TxParked;
import io.sagalog.engine.JournalEvent.TxRolledBack;
import io.sagalog.engine.JournalEvent.TxStarted;
import io.sagalog.engine.RecoveryRules.Choice;
import io.sagalog.engine.RecoveryRules.Failure;
import java.util.ArrayList;
import java.util.List;

/** The work behind each row of the {@link TransitionTable}. */
final class Transitions {
    /** How often a transaction waiting for an unregistered participant looks again. */
    static final java.time.Duration PARTICIPANT_RECHECK = java.time.Duration.ofSeconds(2);
    /** The longest wait between two looks: each look is a record on the control log and a state write. */
    static final java.time.Duration MAX_RECHECK = java.time.Duration.ofSeconds(30);

    /**
     * How long a waiting transaction waits before it looks again: {@link #PARTICIPANT_RECHECK} at first, then a tenth
     * of its age, at most {@link #MAX_RECHECK}; a registration that comes soon is seen at once, and thousands of
     * transactions waiting for hours cost one look each per 30 s, not per 2 s. From the record time: replays agree.
     */
    private static java.time.Duration recheckAfter(Work w) {
        java.time.Duration tenthOfAge = java.time.Duration.between(w.state().createdAt(), w.now).dividedBy(10);
        return tenthOfAge.compareTo(PARTICIPANT_RECHECK) < 0 ? PARTICIPANT_RECHECK
                : tenthOfAge.compareTo(MAX_RECHECK) > 0 ? MAX_RECHECK : tenthOfAge;
    }

    /** Default bound of a step request's input plus context: below Kafka's default max.message.bytes (1 MiB). */
    static final long DEFAULT_MAX_STEP_REQUEST_BYTES = 900 * 1024;

    private final java.util.function.Supplier<DefinitionCatalog> definitions;
    private final java.util.function.Predicate<String> participantRegistered;
    private final long maxStepRequestBytes;

    Transitions(java.util.function.Supplier<DefinitionCatalog> definitions,
                java.util.function.Predicate<String> participantRegistered, long maxStepRequestBytes) {
        this.definitions = definitions;
        this.participantRegistered = participantRegistered;
        this.maxStepRequestBytes = maxStepRequestBytes;
    }

    java.util.function.Supplier<DefinitionCatalog> definitions() {
        return definitions;
    }

    java.util.function.Predicate<String> participantRegistered() {
        return participantRegistered;
    }

    // ---- forward path -------------------------------------------------------------------------------------

    void start(Work w, Input input) {
        TxRequested request = (TxRequested) input;
        Definition definition = definitions.get().latest(request.definition()).orElse(null);
        int version = definition == null ? 0 : definition.version();
        List<StepState> steps = definition == null ? List.of()
                : definition.steps().stream().map(s -> StepState.pending(s.name())).toList();
        w.state(new TxState(w.txId, request.definition(), version, TxStatus.RUNNING, request.input(), steps,
                List.of(), 0, w.now, w.now, null, definition == null ? w.now : w.now.plus(definition.deadline()),
                List.of(), List.of()));
        w.emit(new TxStarted(request.definition(), version));
        if (definition == null) {
            waitForDefinition(w, request.definition());
            return;
        }
        w.schedule(Timer.deadline(w.state().deadline()));
        dispatchAction(w, definition, 0, 1);
    }

    /**
     * A definition this instance has not read yet (registered on another instance a moment ago, or the registry
     * lags): the transaction waits, parked with a reason, and looks again every {@link #PARTICIPANT_RECHECK}; it
     * starts by itself once the definition is known. A backoff timer without a step stands for "start".
     */
    private static void waitForDefinition(Work w, String definition) {
        String reason = "definition '" + definition + "' is not known to this engine yet; the transaction starts "
                + "once it is (PUT /v1/definitions/" + definition + ")";
        if (w.status() != TxStatus.PARKED) {
            park(w, reason);
        }
        w.schedule(Timer.backoff(w.now.plus(recheckAfter(w)), null, 0, Phase.ACTION));
    }

    /** The re-check of a transaction waiting for its definition: start it if the definition is known now. */
    private void startWhenDefinitionKnown(Work w) {
        Definition definition = definitions.get().latest(w.state().definition()).orElse(null);
        if (definition == null) {
            w.schedule(Timer.backoff(w.now.plus(recheckAfter(w)), null, 0, Phase.ACTION));
            return;
        }
        TxState s = w.state();
        w.state(new TxState(s.txId(), s.definition(), definition.version(), TxStatus.RUNNING, s.input(),
                definition.steps().stream().map(step -> StepState.pending(step.name())).toList(), List.of(),
                s.nextSeq(), s.createdAt(), s.updatedAt(), null, w.now.plus(definition.deadline()), s.timers(),
                s.operatorActions()));
        w.emit(new TxStarted(definition.name(), definition.version()));
        w.schedule(Timer.deadline(w.state().deadline()));
        dispatchAction(w, definition, 0, 1);
    }

    void advance(Work w, Input input) {
        StepResult result = (StepResult) input;
        Definition definition = definitionOf(w);
        int late = earlierAttemptOfCurrentStep(w, result);
        if (late >= 0) {
            // An earlier attempt of the step the transaction waits on did succeed after all (its answer was slow,
            // or a copy of its request ran): the effect is real and every attempt shares the idempotency key, so it
            // is the step's success. Ignoring it could leave the effect behind if the step later rolled back.
            cancelTimersOf(w, result.step());
            stepDone(w, definition, late, result.output(), result.attempt());
            return;
        }
        int i = takeOutstanding(w, result);
        if (i < 0) {
            return;
        }
        stepDone(w, definition, i, result.output(), result.attempt());
    }

    /** The index of the current step if the result is a success of one of its earlier attempts, else -1. */
    private static int earlierAttemptOfCurrentStep(Work w, StepResult result) {
        int i = currentStep(w.state());
        if (i < 0 || !w.state().step(i).name().equals(result.step()) || result.attempt() < 1) {
            return -1;
        }
        StepState step = w.state().step(i);
        boolean outstanding = w.outstandingTimeout(result.step(), result.attempt(), Phase.ACTION) != null;
        return !outstanding && result.attempt() < step.attempt() + (step.status() == StepStatus.RETRY_WAIT ? 1 : 0)
                ? i : -1;
    }

    /** A step's action succeeded (or an operator skipped it): record it, then the next step or the end. */
    private void stepDone(Work w, Definition definition, int i, String output, int attempt) {
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

    // ---- recovery -----------------------------------------------------------------------------------------

    void recover(Work w, Input input) {
        StepResult result = (StepResult) input;
        int i = takeOutstanding(w, result);
        if (i < 0) {
            return;
        }
        StepState failed = w.state().step(i).failed(result.error());
        // The transport could not tell whether the call reached the participant: the action may have happened.
        w.updateStep(i, result.outcome() == Outcome.UNKNOWN ? failed.inDoubt(result.error()) : failed);
        w.emit(new StepFailed(result.step(), result.attempt(), result.outcome(), result.error()));
        Definition definition = definitionOf(w);
        apply(w, definition, i, RecoveryRules.afterActionFailure(definition, w.state(), i,
                Failure.of(result.outcome()), w.now));
    }

    void actionTimedOut(Work w, Input input) {
        Timer timer = takeTimer(w, input, Phase.ACTION);
        if (timer == null) {
            return;
        }
        int i = w.state().indexOf(timer.step());
        w.updateStep(i, w.state().step(i).timedOut().with(StepStatus.FAILED));
        w.emit(new StepTimedOut(timer.step(), timer.attempt()));
        Definition definition = definitionOf(w);
        apply(w, definition, i, RecoveryRules.afterActionFailure(definition, w.state(), i, Failure.UNKNOWN, w.now));
    }

    void retryAction(Work w, Input input) {
        Timer timer = takeTimer(w, input, Phase.ACTION);
        if (timer != null) {
            dispatchAction(w, definitionOf(w), w.state().indexOf(timer.step()), timer.attempt());
        }
    }

    void deadlinePassed(Work w, Input input) {
        if (takeTimer(w, input) == null) {
            return;
        }
        w.emit(new DeadlinePassed());
        Definition definition = definitionOf(w);
        int current = currentStep(w.state());
        Choice choice = RecoveryRules.afterDeadline(definition, w.state(), current, w.now);
        w.emit(new RecoveryDecided(choice.direction(), choice.rule(), choice.reason(), choice.facts()));
        switch (choice.direction()) {
            case FORWARD -> { }
            case PARK -> park(w, choice.reason());
            case ROLLBACK -> {
                if (current >= 0) {
                    StepState step = w.state().step(current);
                    cancelTimersOf(w, step.name());
                    w.updateStep(current, (step.status() == StepStatus.RUNNING ? step.timedOut() : step)
                            .with(StepStatus.FAILED));
                }
                startRollback(w, definition, current < 0 ? w.state().steps().size() : current);
            }
        }
    }

    private void apply(Work w, Definition definition, int i, Choice choice) {
        w.emit(new RecoveryDecided(choice.direction(), choice.rule(), choice.reason(), choice.facts()));
        switch (choice.direction()) {
            case FORWARD -> {
                int next = w.state().step(i).attempt() + 1;
                w.updateStep(i, w.state().step(i).with(StepStatus.RETRY_WAIT));
                w.schedule(Timer.backoff(choice.retryAt(), definition.step(i).name(), next, Phase.ACTION));
                w.emit(new RetryScheduled(definition.step(i).name(), next, Phase.ACTION, choice.retryAt()));
            }
            case ROLLBACK -> startRollback(w, definition, i);
            case PARK -> park(w, choice.reason());
        }
    }

    // ---- rollback -----------------------------------------------------------------------------------------

    void compensateNext(Work w, Input input) {
        StepResult result = (StepResult) input;
        int i = takeOutstanding(w, result);
        if (i < 0) {
            return;
        }
        w.updateStep(i, w.state().step(i).compensated());
        w.emit(new StepCompensated(result.step(), result.attempt()));
        removeFromPlan(w, result.step());
        continueRollback(w, definitionOf(w));
    }

    void retryCompensation(Work w, Input input) {
        StepResult result = (StepResult) input;
        int i = takeOutstanding(w, result);
        if (i < 0) {
            return;
        }
        w.updateStep(i, w.state().step(i).withError(result.error()));
        w.emit(new CompensationFailed(result.step(), result.attempt(), result.outcome(), result.error()));
        compensationRecovery(w, i, Failure.of(result.outcome()));
    }

    void compensationTimedOut(Work w, Input input) {
        Timer timer = takeTimer(w, input, Phase.COMPENSATION);
        if (timer == null) {
            return;
        }
        int i = w.state().indexOf(timer.step());
        w.updateStep(i, w.state().step(i).withError("no result within the step's timeout (compensation attempt "
                + timer.attempt() + ")"));
        w.emit(new CompensationTimedOut(timer.step(), timer.attempt()));
        compensationRecovery(w, i, Failure.UNKNOWN);
    }

    void retryCompensationAfterBackoff(Work w, Input input) {
        Timer timer = takeTimer(w, input, Phase.COMPENSATION);
        if (timer != null) {
            dispatchCompensation(w, definitionOf(w), w.state().indexOf(timer.step()), timer.attempt());
        }
    }

    private void compensationRecovery(Work w, int i, Failure failure) {
        Definition definition = definitionOf(w);
        Choice choice = RecoveryRules.afterCompensationFailure(definition, w.state(), i, failure, w.now);
        w.emit(new RecoveryDecided(choice.direction(), choice.rule(), choice.reason(), choice.facts()));
        if (choice.retryAt() == null) {
            park(w, choice.reason());
            return;
        }
        int next = w.state().step(i).compensationAttempt() + 1;
        w.updateStep(i, w.state().step(i).with(StepStatus.COMPENSATION_RETRY_WAIT));
        w.schedule(Timer.backoff(choice.retryAt(), definition.step(i).name(), next, Phase.COMPENSATION));
        w.emit(new RetryScheduled(definition.step(i).name(), next, Phase.COMPENSATION, choice.retryAt()));
    }

    /**
     * Compensation plan: the failed step itself when its action may have happened (it timed out), then every
     * completed step before it that has a compensation, newest first.
     */
    private void startRollback(Work w, Definition definition, int failedIndex) {
        List<String> plan = OperatorActions.compensationPlan(w.state(), definition, failedIndex);
        // The deadline only bounds the way forward; a rollback runs to its end.
        w.state().timers().stream().filter(t -> t.kind() == Timer.Kind.DEADLINE).toList().forEach(w::cancel);
        w.state(w.state().withCompensationPlan(plan));
        w.become(TxStatus.COMPENSATING, null);
        continueRollback(w, definition);
    }

    private void continueRollback(Work w, Definition definition) {
        if (w.state().compensationPlan().isEmpty()) {
            w.cancelAllTimers();
            w.become(TxStatus.ROLLED_BACK, null);
            w.emit(new TxRolledBack());
            return;
        }
        dispatchCompensation(w, definition, definition.indexOf(w.state().compensationPlan().get(0)), 1);
    }

    // ---- operator actions ---------------------------------------------------------------------------------

    /** Applies an operator's action if it fits the state ({@link OperatorActions#refusal}); journaled either way. */
    void operatorAction(Work w, Input input) {
        Input.OperatorCommand command = (Input.OperatorCommand) input;
        if (w.state().operatorActions().contains(command.actionId())) {
            w.emit(new JournalEvent.OperatorActionIgnored(command.actionId(), "action " + command.actionId()
                    + " was already applied; a repeat changes nothing"));
            return;
        }
        Definition definition = definitionOf(w);
        java.util.Optional<String> refusal = OperatorActions.refusal(w.state(), definition, command);
        // Refused ids are remembered too: one action id has one outcome, whatever happens later.
        w.state(w.state().withOperatorAction(command.actionId()));
        if (refusal.isPresent()) {
            w.emit(new JournalEvent.OperatorActionRefused(command.actionId(), command.action(), command.actor(),
                    refusal.get()));
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
                cancelTimersOf(w, stepName);
                StepState step = w.state().step(i);
                if (at.phase() == Phase.ACTION) {
                    w.become(TxStatus.RUNNING, null);
                    dispatchAction(w, definition, i, step.attempt() + 1);
                } else {
                    w.become(TxStatus.COMPENSATING, null);
                    dispatchCompensation(w, definition, i, step.compensationAttempt() + 1);
                }
            }
            case SKIP -> {
                cancelTimersOf(w, stepName);
                if (at.phase() == Phase.ACTION) {
                    w.become(TxStatus.RUNNING, null);
                    stepDone(w, definition, i, command.output() == null ? "{}" : command.output(),
                            w.state().step(i).attempt());
                } else {
                    w.become(TxStatus.COMPENSATING, null);
                    w.updateStep(i, w.state().step(i).compensated());
                    w.emit(new StepCompensated(stepName, w.state().step(i).compensationAttempt()));
                    removeFromPlan(w, stepName);
                    continueRollback(w, definition);
                }
            }
            case ROLLBACK -> {
                java.util.Map<String, String> facts = new java.util.TreeMap<>();
                facts.put("actor", String.valueOf(command.actor()));
                facts.put("forced", Boolean.toString(command.force()));
                OperatorActions.succeededPivot(w.state(), definition).ifPresent(p -> facts.put("pivotSucceeded", p));
                w.emit(new RecoveryDecided(JournalEvent.Direction.ROLLBACK, RecoveryRules.OPERATOR_ROLLBACK,
                        "an operator rolled the transaction back: " + command.reason(), facts));
                if (i >= 0) {
                    cancelTimersOf(w, stepName);
                    StepState step = w.state().step(i);
                    w.updateStep(i, (step.status() == StepStatus.RUNNING ? step.timedOut() : step).with(StepStatus.FAILED));
                }
                startRollback(w, definition, i < 0 ? w.state().steps().size() : i);
            }
            case RESOLVE -> {
                w.cancelAllTimers();
                w.become(TxStatus.RESOLVED, command.reason());
                w.emit(new JournalEvent.TxResolved(command.reason()));
            }
        }
    }

    /** An operator action for a transaction that is finished or never existed: refused, and journaled if it exists. */
    void refuseOperatorAction(Work w, Input input) {
        Input.OperatorCommand command = (Input.OperatorCommand) input;
        if (w.state() == null) {
            w.storeNothing();
        }
        String reason = w.state() == null ? "there is no transaction " + w.txId
                : "the transaction is already " + w.status() + "; there is nothing left to " + command.action().wireName();
        w.emit(new JournalEvent.OperatorActionRefused(command.actionId(), command.action(), command.actor(), reason));
    }

    // ---- repair -----------------------------------------------------------------------------------------------

    /**
     * A transaction in flight must always have a timer (an outstanding attempt has its timeout, a waiting retry its
     * backoff). One without any would never move again; this puts it back on its way as its lost timer would have:
     * an outstanding attempt counts as timed out (its outcome is unknown), a waiting retry is dispatched.
     */
    void repairTimers(Work w, Input input) {
        if (!w.state().timers().isEmpty()) {
            return; // the sweep raced with a decision that scheduled one: nothing to repair
        }
        Definition definition = definitionOf(w);
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
                w.updateStep(i, step.timedOut().with(StepStatus.FAILED));
                w.emit(new StepTimedOut(step.name(), step.attempt()));
                apply(w, definition, i, RecoveryRules.afterActionFailure(definition, w.state(), i, Failure.UNKNOWN, w.now));
            } else {
                dispatchAction(w, definition, i, step.attempt() + 1);
            }
            return;
        }
        if (w.state().compensationPlan().isEmpty()) {
            continueRollback(w, definition);
            return;
        }
        int i = w.state().indexOf(w.state().compensationPlan().get(0));
        StepState step = w.state().step(i);
        if (step.status() == StepStatus.COMPENSATING) {
            w.emit(new CompensationTimedOut(step.name(), step.compensationAttempt()));
            compensationRecovery(w, i, Failure.UNKNOWN);
        } else {
            dispatchCompensation(w, definition, i, step.compensationAttempt() + 1);
        }
    }

    // ---- inputs that change nothing -----------------------------------------------------------------------

    void ignoreResult(Work w, Input input) {
        StepResult result = (StepResult) input;
        ignore(w, result, "late or duplicate: the transaction is " + w.status());
    }

    /**
     * A success for an action attempt the engine no longer waits for, after the rollback began (COMPENSATING,
     * ROLLED_BACK, or PARKED on the way back) or while parked: the effect is real. A step whose compensation has not
     * run gets it planned (and dispatched when the rollback reaches it, at once if it had ended); a step that cannot
     * be compensated (pivot, retriable) parks the transaction so an operator reconciles it. Journaled either way.
     */
    void lateSuccess(Work w, Input input) {
        StepResult result = (StepResult) input;
        int i = w.state().indexOf(result.step());
        if (i < 0 || result.attempt() < 1 || result.attempt() > w.state().step(i).attempt()) {
            ignore(w, result, "no action attempt " + result.attempt() + " of " + result.step() + " was dispatched");
            return;
        }
        StepState step = w.state().step(i);
        boolean rollingBack = w.status() != TxStatus.PARKED || !w.state().compensationPlan().isEmpty();
        boolean covered = step.status() == StepStatus.COMPENSATED || step.status() == StepStatus.COMPENSATING
                || step.status() == StepStatus.COMPENSATION_RETRY_WAIT || w.state().compensationPlan().contains(step.name())
                || (step.status() == StepStatus.SUCCEEDED && rollingBack);
        if (covered) {
            ignore(w, result, "late or duplicate: the effect of " + step.name() + " is already counted and "
                    + (step.status() == StepStatus.COMPENSATED ? "compensated" : "part of the rollback"));
            return;
        }
        if (!rollingBack) {
            // Parked on the way forward: the step did succeed after all. Record it; whoever resumes goes on from there.
            if (step.status() != StepStatus.SUCCEEDED) {
                w.updateStep(i, step.succeeded(result.output()));
                w.emit(new StepSucceeded(step.name(), result.attempt()));
            } else {
                ignore(w, result, "duplicate: " + step.name() + " already succeeded");
            }
            return;
        }
        Definition definition = definitionOf(w);
        java.util.Map<String, String> facts = new java.util.LinkedHashMap<>();
        facts.put("step", step.name());
        facts.put("attempt", Integer.toString(result.attempt()));
        facts.put("kind", definition.step(i).kind().jsonName());
        facts.put("statusWhenItArrived", w.status().name());
        // Only a compensatable step is undone automatically; a pivot is the point of no return (its outcome is never
        // undone behind an operator's back, as with an unknown pivot outcome) and a retriable step has no undo.
        if (definition.step(i).kind() != StepKind.COMPENSATABLE || !definition.step(i).hasCompensation()) {
            w.emit(new RecoveryDecided(JournalEvent.Direction.PARK, RecoveryRules.LATE_EFFECT_AFTER_ROLLBACK,
                    step.name() + " succeeded (attempt " + result.attempt() + ") after the rollback began and has no "
                            + "compensation; an operator must reconcile it", facts));
            w.updateStep(i, step.succeeded(result.output()));
            park(w, RecoveryRules.LATE_EFFECT_AFTER_ROLLBACK + ": " + step.name() + " succeeded after the rollback "
                    + "began and cannot be compensated; reconcile it by hand, then resolve");
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
            continueRollback(w, definition);
        }
    }

    void ignoreRequest(Work w, Input input) {
        w.emit(new RequestIgnored("duplicate request: transaction " + w.txId + " already exists and is "
                + w.status()));
    }

    void unknownTransaction(Work w, Input input) {
        StepResult result = (StepResult) input;
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

    // ---- helpers ------------------------------------------------------------------------------------------

    private void dispatchAction(Work w, Definition definition, int index, int attempt) {
        StepDefinition step = definition.step(index);
        if (waitForParticipant(w, step, attempt, Phase.ACTION) || tooLargeToSend(w, step, Phase.ACTION)) {
            return;
        }
        w.updateStep(index, w.state().step(index).dispatched(attempt));
        w.emit(new StepDispatched(step.name(), attempt, step.participant(), step.action()));
        w.dispatch(step, Phase.ACTION, attempt);
    }

    private void dispatchCompensation(Work w, Definition definition, int index, int attempt) {
        StepDefinition step = definition.step(index);
        if (waitForParticipant(w, step, attempt, Phase.COMPENSATION) || tooLargeToSend(w, step, Phase.COMPENSATION)) {
            return;
        }
        w.updateStep(index, w.state().step(index).compensating(attempt));
        w.emit(new CompensationDispatched(step.name(), attempt, step.participant(), step.compensation()));
        w.dispatch(step, Phase.COMPENSATION, attempt);
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
        w.emit(new RecoveryDecided(JournalEvent.Direction.PARK, RecoveryRules.STEP_REQUEST_TOO_LARGE, reason, facts));
        park(w, RecoveryRules.STEP_REQUEST_TOO_LARGE + ": " + reason);
        return true;
    }

    /**
     * A step whose participant is not registered cannot be sent anywhere: the transaction parks with a reason that
     * says so, and looks again every {@link #PARTICIPANT_RECHECK} until the participant registers.
     */
    private boolean waitForParticipant(Work w, StepDefinition step, int attempt, Phase phase) {
        if (participantRegistered.test(step.participant())) {
            return false;
        }
        String reason = "participant '" + step.participant() + "' of step " + step.name()
                + " is not registered; the transaction continues once it is (PUT /v1/participants/" + step.participant() + ")";
        if (w.status() != TxStatus.PARKED) {
            park(w, reason);
        }
        w.schedule(Timer.backoff(w.now.plus(recheckAfter(w)), step.name(), attempt, phase));
        return true;
    }

    /** A transaction parked for an unregistered participant looks again; it resumes once the participant exists. */
    void resumeWhenParticipantRegistered(Work w, Input input) {
        Timer timer = takeTimer(w, input);
        if (timer == null) {
            return;
        }
        if (timer.step() == null) {
            startWhenDefinitionKnown(w);
            return;
        }
        Definition definition = definitionOf(w);
        int i = w.state().indexOf(timer.step());
        if (!participantRegistered.test(definition.step(i).participant())) {
            w.schedule(Timer.backoff(w.now.plus(recheckAfter(w)), timer.step(), timer.attempt(), timer.phase()));
            return;
        }
        if (timer.phase() == Phase.ACTION) {
            w.become(TxStatus.RUNNING, null);
            w.schedule(Timer.deadline(w.state().deadline()));
            dispatchAction(w, definition, i, timer.attempt());
        } else {
            w.become(TxStatus.COMPENSATING, null);
            dispatchCompensation(w, definition, i, timer.attempt());
        }
    }

    private static void park(Work w, String reason) {
        w.cancelAllTimers();
        w.become(TxStatus.PARKED, reason);
        w.emit(new TxParked(reason));
    }

    private static void ignore(Work w, StepResult result, String reason) {
        w.emit(new ResultIgnored(result.step(), result.attempt(), result.phase(), result.outcome(), reason));
    }

    /**
     * Index of the step this result answers, with its timeout timer cancelled; or -1 (and the result journaled
     * as ignored) when it answers nothing outstanding: an older attempt, a duplicate, or a timed-out attempt.
     * Results are deduplicated by (step, attempt, phase): an attempt is outstanding exactly while its timeout
     * timer is active.
     */
    private static int takeOutstanding(Work w, StepResult result) {
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
    private static Timer takeTimer(Work w, Input input) {
        Timer timer = ((TimerFired) input).timer();
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
    private static Timer takeTimer(Work w, Input input, Phase phase) {
        Timer timer = takeTimer(w, input);
        return timer == null || timer.phase() != phase ? null : timer;
    }

    private static void removeFromPlan(Work w, String step) {
        List<String> plan = new ArrayList<>(w.state().compensationPlan());
        plan.remove(step);
        w.state(w.state().withCompensationPlan(plan));
    }

    private static void cancelTimersOf(Work w, String step) {
        if (step == null) {
            return;
        }
        w.state().timers().stream().filter(t -> step.equals(t.step())).toList().forEach(w::cancel);
    }

    /** The step the forward path is at (outstanding or waiting to retry), or -1. */
    private static int currentStep(TxState state) {
        for (int i = 0; i < state.steps().size(); i++) {
            StepStatus s = state.step(i).status();
            if (s == StepStatus.RUNNING || s == StepStatus.RETRY_WAIT) {
                return i;
            }
        }
        return -1;
    }

    private Definition definitionOf(Work w) {
        return definitions.get().find(w.state().definition(), w.state().definitionVersion())
                .orElseThrow(() -> new IllegalStateException("definition " + w.state().definition() + " version "
                        + w.state().definitionVersion() + " of transaction " + w.txId + " is not loaded"));
    }
}
