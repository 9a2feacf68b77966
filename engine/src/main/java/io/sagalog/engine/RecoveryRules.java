package io.sagalog.engine;

import io.sagalog.engine.JournalEvent.Direction;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The recovery table of the design (section 4) in one place: after an action failed, go forward (retry),
 * roll back, or park. Pure: the same facts always give the same choice.
 */
public final class RecoveryRules {
    private RecoveryRules() {}

    /** The choice, the rule that made it, and the facts it used. */
    public record Choice(Direction direction, String rule, String reason, Map<String, String> facts) {}

    public static Choice afterActionFailure(Definition definition, TxState state, int stepIndex, Outcome outcome) {
        StepDefinition step = definition.step(stepIndex);
        int attempt = state.step(stepIndex).attempt();
        boolean attemptsLeft = step.retry().hasAttemptsLeftAfter(attempt);
        boolean pivotSucceeded = pivotSucceeded(definition, state);

        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("step", step.name());
        facts.put("kind", step.kind().jsonName());
        facts.put("outcome", outcome.name());
        facts.put("attempt", Integer.toString(attempt));
        facts.put("maxAttempts", Integer.toString(step.retry().maxAttempts()));
        facts.put("pivotSucceeded", Boolean.toString(pivotSucceeded));

        if (step.kind() == StepKind.RETRIABLE || pivotSucceeded) {
            if (attemptsLeft) {
                return new Choice(Direction.FORWARD, "retriable-step-retry",
                        "the pivot is behind us, so " + step.name() + " can only be retried", facts);
            }
            return new Choice(Direction.PARK, "retriable-step-exhausted",
                    step.name() + " failed " + attempt + " times after the pivot; it cannot be rolled back", facts);
        }
        if (outcome == Outcome.FAILED_TRANSIENT && attemptsLeft) {
            return new Choice(Direction.FORWARD, "transient-failure-retry",
                    step.name() + " failed transiently; attempt " + (attempt + 1) + " of " + step.retry().maxAttempts(),
                    facts);
        }
        if (outcome == Outcome.FAILED_TRANSIENT) {
            return new Choice(Direction.ROLLBACK, "attempts-exhausted-before-pivot",
                    step.name() + " failed " + attempt + " times before the pivot; undoing what was done", facts);
        }
        return new Choice(Direction.ROLLBACK, "permanent-failure-before-pivot",
                step.name() + " was rejected; undoing what was done", facts);
    }

    private static boolean pivotSucceeded(Definition definition, TxState state) {
        for (int i = 0; i < definition.steps().size(); i++) {
            if (definition.step(i).kind() == StepKind.PIVOT && state.step(i).status() == StepStatus.SUCCEEDED) {
                return true;
            }
        }
        return false;
    }
}
