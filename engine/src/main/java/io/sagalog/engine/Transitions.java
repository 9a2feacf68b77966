package io.sagalog.engine;

import io.sagalog.engine.Input.StepResult;
import io.sagalog.engine.Input.TxRequested;
import io.sagalog.engine.JournalEvent.CompensationDispatched;
import io.sagalog.engine.JournalEvent.CompensationFailed;
import io.sagalog.engine.JournalEvent.Direction;
import io.sagalog.engine.JournalEvent.RecoveryDecided;
import io.sagalog.engine.JournalEvent.RequestIgnored;
import io.sagalog.engine.JournalEvent.ResultIgnored;
import io.sagalog.engine.JournalEvent.StepCompensated;
import io.sagalog.engine.JournalEvent.StepDispatched;
import io.sagalog.engine.JournalEvent.StepFailed;
import io.sagalog.engine.JournalEvent.StepSucceeded;
import io.sagalog.engine.JournalEvent.TxCompleted;
import io.sagalog.engine.JournalEvent.TxParked;
import io.sagalog.engine.JournalEvent.TxRolledBack;
import io.sagalog.engine.JournalEvent.TxStarted;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The work behind each row of the {@link TransitionTable}. */
final class Transitions {
    private final DefinitionCatalog definitions;

    Transitions(DefinitionCatalog definitions) {
        this.definitions = definitions;
    }

    void start(Work w, Input input) {
        TxRequested request = (TxRequested) input;
        Definition definition = definitions.latest(request.definition()).orElse(null);
        int version = definition == null ? 0 : definition.version();
        List<StepState> steps = definition == null ? List.of()
                : definition.steps().stream().map(s -> StepState.pending(s.name())).toList();
        w.state(new TxState(w.txId, request.definition(), version, TxStatus.RUNNING, request.input(), steps,
                List.of(), 0, w.now, w.now, null));
        w.emit(new TxStarted(request.definition(), version));
        if (definition == null) {
            park(w, "definition '" + request.definition() + "' is not known to this engine");
            return;
        }
        dispatchAction(w, definition, 0, 1);
    }

    void advance(Work w, Input input) {
        StepResult result = (StepResult) input;
        Definition definition = definitionOf(w);
        int i = outstanding(w, result);
        if (definition == null || i < 0) {
            ignore(w, result, definition == null ? "the transaction's definition is gone"
                    : "no attempt " + result.attempt() + " of " + result.step() + " is outstanding");
            return;
        }
        w.updateStep(i, w.state().step(i).succeeded(result.output()));
        w.emit(new StepSucceeded(result.step(), result.attempt()));
        if (i + 1 < definition.steps().size()) {
            dispatchAction(w, definition, i + 1, 1);
        } else {
            w.become(TxStatus.COMPLETED, null);
            w.emit(new TxCompleted());
        }
    }

    void recover(Work w, Input input) {
        StepResult result = (StepResult) input;
        Definition definition = definitionOf(w);
        int i = outstanding(w, result);
        if (definition == null || i < 0) {
            ignore(w, result, definition == null ? "the transaction's definition is gone"
                    : "no attempt " + result.attempt() + " of " + result.step() + " is outstanding");
            return;
        }
        w.updateStep(i, w.state().step(i).failed(result.error()));
        w.emit(new StepFailed(result.step(), result.attempt(), result.outcome(), result.error()));
        RecoveryRules.Choice choice = RecoveryRules.afterActionFailure(definition, w.state(), i, result.outcome());
        w.emit(new RecoveryDecided(choice.direction(), choice.rule(), choice.reason(), choice.facts()));
        switch (choice.direction()) {
            case FORWARD -> dispatchAction(w, definition, i, result.attempt() + 1);
            case ROLLBACK -> startRollback(w, definition, i);
            case PARK -> park(w, choice.reason());
        }
    }

    void compensateNext(Work w, Input input) {
        StepResult result = (StepResult) input;
        Definition definition = definitionOf(w);
        int i = outstanding(w, result);
        if (definition == null || i < 0) {
            ignore(w, result, "no attempt " + result.attempt() + " of the compensation of " + result.step()
                    + " is outstanding");
            return;
        }
        w.updateStep(i, w.state().step(i).compensated());
        w.emit(new StepCompensated(result.step(), result.attempt()));
        List<String> rest = w.state().compensationPlan().subList(1, w.state().compensationPlan().size());
        w.state(w.state().withCompensationPlan(rest));
        continueRollback(w, definition);
    }

    void retryCompensation(Work w, Input input) {
        StepResult result = (StepResult) input;
        Definition definition = definitionOf(w);
        int i = outstanding(w, result);
        if (definition == null || i < 0) {
            ignore(w, result, "no attempt " + result.attempt() + " of the compensation of " + result.step()
                    + " is outstanding");
            return;
        }
        StepDefinition step = definition.step(i);
        w.updateStep(i, w.state().step(i).withError(result.error()));
        w.emit(new CompensationFailed(result.step(), result.attempt(), result.outcome(), result.error()));
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("step", step.name());
        facts.put("outcome", result.outcome().name());
        facts.put("attempt", Integer.toString(result.attempt()));
        facts.put("maxAttempts", Integer.toString(step.retry().maxAttempts()));
        if (step.retry().hasAttemptsLeftAfter(result.attempt())) {
            w.emit(new RecoveryDecided(Direction.ROLLBACK, "compensation-retry",
                    "compensations are retried until they succeed or their budget runs out", facts));
            dispatchCompensation(w, definition, i, result.attempt() + 1);
        } else {
            String reason = "the compensation of " + step.name() + " failed " + result.attempt()
                    + " times; an operator must finish the rollback";
            w.emit(new RecoveryDecided(Direction.PARK, "compensation-exhausted", reason, facts));
            park(w, reason);
        }
    }

    void ignoreResult(Work w, Input input) {
        StepResult result = (StepResult) input;
        ignore(w, result, "late or duplicate: the transaction is " + w.status());
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

    /** Compensation plan: every completed step before the failed one that has a compensation, newest first. */
    private static void startRollback(Work w, Definition definition, int failedIndex) {
        List<String> plan = new ArrayList<>();
        for (int j = failedIndex - 1; j >= 0; j--) {
            if (w.state().step(j).status() == StepStatus.SUCCEEDED && definition.step(j).hasCompensation()) {
                plan.add(definition.step(j).name());
            }
        }
        w.state(w.state().withCompensationPlan(plan));
        w.become(TxStatus.COMPENSATING, null);
        continueRollback(w, definition);
    }

    private static void continueRollback(Work w, Definition definition) {
        if (w.state().compensationPlan().isEmpty()) {
            w.become(TxStatus.ROLLED_BACK, null);
            w.emit(new TxRolledBack());
            return;
        }
        dispatchCompensation(w, definition, definition.indexOf(w.state().compensationPlan().get(0)), 1);
    }

    private static void dispatchAction(Work w, Definition definition, int index, int attempt) {
        StepDefinition step = definition.step(index);
        w.updateStep(index, w.state().step(index).dispatched(attempt));
        w.emit(new StepDispatched(step.name(), attempt, step.participant(), step.action()));
        w.dispatch(step, Phase.ACTION, attempt);
    }

    private static void dispatchCompensation(Work w, Definition definition, int index, int attempt) {
        StepDefinition step = definition.step(index);
        w.updateStep(index, w.state().step(index).compensating(attempt));
        w.emit(new CompensationDispatched(step.name(), attempt, step.participant(), step.compensation()));
        w.dispatch(step, Phase.COMPENSATION, attempt);
    }

    private static void park(Work w, String reason) {
        w.become(TxStatus.PARKED, reason);
        w.emit(new TxParked(reason));
    }

    private static void ignore(Work w, StepResult result, String reason) {
        w.emit(new ResultIgnored(result.step(), result.attempt(), result.phase(), result.outcome(), reason));
    }

    /**
     * Index of the step this result answers, or -1 when it answers nothing outstanding (an older attempt,
     * a duplicate, or a step that is not running in this phase). Results are deduplicated by (step, attempt, phase).
     */
    private static int outstanding(Work w, StepResult result) {
        int i = w.state().indexOf(result.step());
        if (i < 0) {
            return -1;
        }
        StepState step = w.state().step(i);
        StepStatus expected = result.phase() == Phase.ACTION ? StepStatus.RUNNING : StepStatus.COMPENSATING;
        return step.status() == expected && step.attemptOf(result.phase()) == result.attempt() ? i : -1;
    }

    private Definition definitionOf(Work w) {
        return definitions.find(w.state().definition(), w.state().definitionVersion()).orElse(null);
    }
}
