package io.sagalog.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * What a rollback undoes, in the order it runs (newest first): the one place that says it. The decider runs
 * {@link #from}; the API shows {@link #ifStartedNow} (the {@code rollbackPlan} of a transaction), and an operator's
 * rollback undoes exactly what that showed.
 */
public final class RollbackPlan {
    private RollbackPlan() {}

    /**
     * The plan of a rollback that starts at step {@code from} (the failed step, or the number of steps when every
     * step succeeded): that step itself when its action may have happened (in doubt, or still outstanding: a rollback
     * gives up on it), then every earlier step that succeeded and has a compensation, newest first.
     */
    static List<String> from(TxState state, Definition definition, int from) {
        List<String> plan = new ArrayList<>();
        if (from < state.steps().size() && (state.step(from).inDoubt() || state.step(from).status() == StepStatus.RUNNING)
                && definition.step(from).hasCompensation()) {
            plan.add(definition.step(from).name());
        }
        for (int j = from - 1; j >= 0; j--) {
            if (state.step(j).status() == StepStatus.SUCCEEDED && definition.step(j).hasCompensation()) {
                plan.add(definition.step(j).name());
            }
        }
        return plan;
    }

    /**
     * What a rollback would undo if it started now: nothing for a finished transaction, the plan itself while rolling
     * back, otherwise {@link #from} the step the transaction stands at.
     */
    public static List<String> ifStartedNow(TxState state, Definition definition) {
        if (state.status().isFinal()) {
            return List.of();
        }
        if (OperatorActions.rollingBack(state)) {
            return state.compensationPlan();
        }
        int at = OperatorActions.stopPoint(state).index();
        return from(state, definition, at < 0 ? state.steps().size() : at);
    }
}
