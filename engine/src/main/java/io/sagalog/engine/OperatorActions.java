package io.sagalog.engine;

import java.util.List;
import java.util.Optional;

/**
 * Which operator actions fit a transaction's state, and why the others do not. Pure: the decider applies an
 * action only when {@link #refusal} is empty, and the HTTP API asks the same question first so an operator gets a
 * 409 with the reason at once instead of an entry in the history later.
 */
public final class OperatorActions {

    private OperatorActions() {}

    /**
     * Where a transaction stands for an operator: on its way forward at a step, or rolling back at the next
     * compensation of its plan.
     *
     * @param index the step's index, or -1 when there is none (every step succeeded)
     */
    public record StopPoint(Phase phase, int index) {}

    /** The step the transaction stopped at: the head of the compensation plan while rolling back, else the first step not done. */
    public static StopPoint stopPoint(TxState state) {
        if (rollingBack(state)) {
            return new StopPoint(Phase.COMPENSATION, state.indexOf(state.compensationPlan().get(0)));
        }
        for (int i = 0; i < state.steps().size(); i++) {
            if (state.step(i).status() != StepStatus.SUCCEEDED) {
                return new StopPoint(Phase.ACTION, i);
            }
        }
        return new StopPoint(Phase.ACTION, -1);
    }

    static boolean rollingBack(TxState state) {
        return state.status() == TxStatus.COMPENSATING
                || (state.status() == TxStatus.PARKED && !state.compensationPlan().isEmpty());
    }

    /** Why the command does not fit the transaction now, in words an operator can act on; empty when it fits. */
    public static Optional<String> refusal(TxState state, Definition definition, Input.OperatorCommand command) {
        if (state == null) {
            return Optional.of("there is no transaction " + command.txId());
        }
        if (command.reason() == null || command.reason().isBlank()) {
            return Optional.of("a reason is required for every operator action; it is kept in the history");
        }
        if (command.action().isAboutRetention()) {
            return retentionRefusal(state, command);
        }
        if (state.status().isFinal()) {
            return Optional.of("the transaction is already " + state.status() + "; there is nothing left to "
                    + command.action().wireName());
        }
        if (isStale(state, command)) {
            return Optional.of("the transaction has moved on since you looked: you saw history up to seq "
                    + command.expectedSeq() + ", it is now at seq " + currentSeq(state)
                    + "; reload it and decide again");
        }
        if (command.step() != null && state.indexOf(command.step()) < 0) {
            return Optional.of("definition " + state.definition() + " has no step '" + command.step() + "'; its steps are "
                    + String.join(", ", state.steps().stream().map(StepState::name).toList()));
        }
        StopPoint at = stopPoint(state);
        String atName = at.index() < 0 ? null : state.step(at.index()).name();
        // A rollback, too, starts where the transaction stands: it undoes exactly what rollbackPlan shows. Naming
        // another step would undo a different set of steps than the operator was shown, so it is refused.
        if (command.step() != null && !command.step().equals(atName) && command.action() != OperatorAction.RESOLVE) {
            return Optional.of(at.index() < 0
                    ? "every step succeeded; the transaction stands at no step, so leave 'step' out"
                    : "the transaction stands at step " + atName + " ("
                    + (at.phase() == Phase.ACTION ? "forward" : "rolling back") + "), not at " + command.step()
                    + "; an action applies to the step it stands at (leave 'step' out to mean that one)");
        }
        return switch (command.action()) {
            case RESOLVE -> Optional.empty();
            case HOLD, RELEASE -> retentionRefusal(state, command);
            case RESUME -> state.status() != TxStatus.PARKED
                    ? Optional.of("only a PARKED transaction can be resumed; this one is " + state.status()
                            + (state.status() == TxStatus.RUNNING ? " (use retry to dispatch a waiting step now)" : ""))
                    : stepToRun(at, state);
            case RETRY -> {
                Optional<String> none = stepToRun(at, state);
                if (none.isPresent() || state.status() == TxStatus.PARKED) {
                    yield none;
                }
                StepStatus s = state.step(at.index()).status();
                boolean waiting = s == StepStatus.RUNNING || s == StepStatus.RETRY_WAIT
                        || s == StepStatus.COMPENSATING || s == StepStatus.COMPENSATION_RETRY_WAIT;
                yield waiting ? Optional.empty() : Optional.of("step " + atName + " is " + s
                        + "; only a step that waits (outstanding or between retries) can be retried now");
            }
            case SKIP -> stepToRun(at, state);
            case ROLLBACK -> {
                if (rollingBack(state)) {
                    yield Optional.of("the transaction is already rolling back (" + state.status() + ")");
                }
                Optional<String> pivot = succeededPivot(state, definition);
                if (pivot.isPresent() && !command.force()) {
                    yield Optional.of("the pivot step " + pivot.get() + " succeeded, so the transaction is past its "
                            + "point of no return and recovers forward; to undo it anyway, send the rollback again "
                            + "with \"force\": true");
                }
                yield Optional.empty();
            }
        };
    }

    /** Hold and release fit any transaction (in flight or finished), once each way; {@code expectedSeq} as for any action. */
    private static Optional<String> retentionRefusal(TxState state, Input.OperatorCommand command) {
        if (isStale(state, command)) {
            return Optional.of("the transaction has moved on since you looked: you saw history up to seq "
                    + command.expectedSeq() + ", it is now at seq " + currentSeq(state) + "; reload it and decide again");
        }
        if (command.step() != null) {
            return Optional.of(command.action().wireName() + " applies to the whole transaction; leave 'step' out");
        }
        boolean hold = command.action() == OperatorAction.HOLD;
        if (hold == state.held()) {
            return Optional.of(hold ? "the transaction is on hold already" : "the transaction is not on hold");
        }
        return Optional.empty();
    }

    /** The seq of the newest event in the transaction's history (what {@code expectedSeq} is compared with). */
    public static long currentSeq(TxState state) {
        return state.nextSeq() - 1;
    }

    /** Whether the command carries a precondition the transaction no longer meets. */
    public static boolean isStale(TxState state, Input.OperatorCommand command) {
        return command.expectedSeq() != null && command.expectedSeq() != currentSeq(state);
    }

    private static Optional<String> stepToRun(StopPoint at, TxState state) {
        return at.index() < 0 ? Optional.of("every step of the transaction succeeded; there is no step to run")
                : Optional.empty();
    }

    /** The name of the pivot step if it succeeded. */
    static Optional<String> succeededPivot(TxState state, Definition definition) {
        return RecoveryRules.succeeded(definition, state, StepKind.PIVOT);
    }
}
