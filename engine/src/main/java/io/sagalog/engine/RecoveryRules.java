package io.sagalog.engine;

import io.sagalog.engine.JournalEvent.Direction;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recovery table of the design (section 4) in one place: after a failure, a timeout or the deadline, go
 * forward (retry), roll back, or park. Pure: the same facts always give the same choice, and every choice names
 * the rule that made it and the facts it used.
 */
public final class RecoveryRules {
    private RecoveryRules() {}

    /** How an attempt failed. */
    public enum Failure {
        /** Worth retrying: an error marked retryable, a 5xx, a refused connection, an open circuit. */
        TRANSIENT,
        /** A business rejection. */
        PERMANENT,
        /** No result before the timeout: the effect may or may not have happened. */
        UNKNOWN;

        static Failure of(Outcome outcome) {
            return switch (outcome) {
                case FAILED_PERMANENT -> PERMANENT;
                case UNKNOWN -> UNKNOWN;
                case SUCCEEDED, FAILED_TRANSIENT, EXPIRED -> TRANSIENT;
            };
        }
    }

    public static final String LATE_EFFECT_AFTER_ROLLBACK = "late-effect-after-rollback";
    public static final String ENGINE_ERROR = "engine-error";
    public static final String STEP_REQUEST_TOO_LARGE = "step-request-too-large";
    public static final String OPERATOR_ROLLBACK = "operator-rollback";

    /** One row of the table: its name, what it decides, and when it applies. */
    public record Rule(String name, Direction direction, String when) {}

    /** Every rule, in the order they are tried. */
    public static final List<Rule> RULES = List.of(
            new Rule("retriable-step-retry", Direction.FORWARD,
                    "a retriable step, or any step after the pivot succeeded, failed and has attempts left"),
            new Rule("retriable-step-exhausted", Direction.PARK,
                    "a retriable step, or any step after the pivot succeeded, used all its attempts"),
            new Rule("pivot-outcome-unknown", Direction.PARK,
                    "the pivot's outcome is unknown and the transaction would otherwise roll back"),
            new Rule("permanent-failure-before-pivot", Direction.ROLLBACK,
                    "a compensatable step or the pivot was rejected"),
            new Rule("transient-failure-retry", Direction.FORWARD,
                    "a transient failure before the pivot, with attempts and deadline left"),
            new Rule("unknown-outcome-retry", Direction.FORWARD,
                    "a timeout before the pivot, with attempts and deadline left; the retry keeps the idempotency key"),
            new Rule("deadline-would-pass-before-retry", Direction.ROLLBACK,
                    "attempts are left, but the next one would start after the transaction's deadline"),
            new Rule("attempts-exhausted-before-pivot", Direction.ROLLBACK,
                    "a step before the pivot used all its attempts"),
            new Rule("deadline-exceeded-before-pivot", Direction.ROLLBACK,
                    "the transaction's deadline passed before the pivot succeeded"),
            new Rule("deadline-passed-after-pivot", Direction.FORWARD,
                    "the deadline passed after the pivot succeeded: the transaction can only finish"),
            new Rule("compensation-retry", Direction.ROLLBACK,
                    "a compensation failed or timed out and has attempts left (compensations are retried by contract)"),
            new Rule("compensation-exhausted", Direction.PARK,
                    "a compensation used all its attempts (the step's maxAttempts when rejected, at least "
                            + "30 against transient failures and timeouts); an operator must finish the rollback"),
            new Rule(LATE_EFFECT_AFTER_ROLLBACK, Direction.PARK,
                    "a step without a compensation (pivot, retriable) succeeded after the rollback began: its effect "
                            + "cannot be undone, so an operator must reconcile"),
            new Rule(ENGINE_ERROR, Direction.PARK,
                    "deciding this transaction failed inside the engine (a bug or a value out of range); it parks "
                            + "with the error so the partition moves on"),
            new Rule(STEP_REQUEST_TOO_LARGE, Direction.PARK,
                    "the next step request (input plus the outputs of earlier steps) is larger than a Kafka record "
                            + "may be"),
            new Rule(OPERATOR_ROLLBACK, Direction.ROLLBACK, "an operator rolled the transaction back"));

    /**
     * The choice, the rule that made it, the facts it used, and for a retry when it runs.
     *
     * @param retryAt when the next attempt is dispatched; null unless the choice is a retry
     */
    public record Choice(Direction direction, String rule, String reason, Map<String, String> facts, Instant retryAt) {}

    public static Choice afterActionFailure(Definition definition, TxState state, int stepIndex, Failure failure,
                                            Instant now) {
        StepDefinition step = definition.step(stepIndex);
        StepState current = state.step(stepIndex);
        int attempt = current.attempt();
        boolean attemptsLeft = step.retry().hasAttemptsLeftAfter(attempt);
        boolean pivotSucceeded = pivotSucceeded(definition, state);
        Instant retryAt = now.plus(step.retry().backoff(attempt, seed(state, step.name(), Phase.ACTION, attempt)));

        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("step", step.name());
        facts.put("kind", step.kind().jsonName());
        facts.put("failure", failure.name());
        facts.put("attempt", Integer.toString(attempt));
        facts.put("maxAttempts", Integer.toString(step.retry().maxAttempts()));
        facts.put("pivotSucceeded", Boolean.toString(pivotSucceeded));
        facts.put("inDoubt", Boolean.toString(current.inDoubt()));
        facts.put("deadline", state.deadline().toString());

        if (step.kind() == StepKind.RETRIABLE || pivotSucceeded) {
            if (attemptsLeft) {
                facts.put("retryAt", retryAt.toString());
                return new Choice(Direction.FORWARD, "retriable-step-retry", step.name()
                        + " is past the point of no return, so it is retried (attempt " + (attempt + 1) + " of "
                        + step.retry().maxAttempts() + ")", facts, retryAt);
            }
            return new Choice(Direction.PARK, "retriable-step-exhausted", step.name() + " failed " + attempt
                    + " times after the pivot; it cannot be rolled back, so an operator must finish it", facts, null);
        }
        Choice rollback;
        if (failure == Failure.PERMANENT) {
            rollback = new Choice(Direction.ROLLBACK, "permanent-failure-before-pivot",
                    step.name() + " was rejected; undoing what was done", facts, null);
        } else if (attemptsLeft && retryAt.isBefore(state.deadline())) {
            facts.put("retryAt", retryAt.toString());
            return failure == Failure.UNKNOWN
                    ? new Choice(Direction.FORWARD, "unknown-outcome-retry", step.name() + " did not answer in time; "
                            + "retrying with the same idempotency key (attempt " + (attempt + 1) + " of "
                            + step.retry().maxAttempts() + ")", facts, retryAt)
                    : new Choice(Direction.FORWARD, "transient-failure-retry", step.name() + " failed transiently; "
                            + "attempt " + (attempt + 1) + " of " + step.retry().maxAttempts() + " follows", facts, retryAt);
        } else if (attemptsLeft) {
            facts.put("retryAt", retryAt.toString());
            rollback = new Choice(Direction.ROLLBACK, "deadline-would-pass-before-retry", "the next attempt of "
                    + step.name() + " would start after the transaction's deadline; undoing what was done", facts, null);
        } else {
            rollback = new Choice(Direction.ROLLBACK, "attempts-exhausted-before-pivot", step.name() + " failed "
                    + attempt + " times before the pivot; undoing what was done", facts, null);
        }
        return unlessPivotInDoubt(step, current, rollback, facts);
    }

    /** The transaction's deadline passed while it was running. */
    public static Choice afterDeadline(Definition definition, TxState state, int currentStep, Instant now) {
        Map<String, String> facts = new LinkedHashMap<>();
        boolean pivotSucceeded = pivotSucceeded(definition, state);
        facts.put("deadline", state.deadline().toString());
        facts.put("pivotSucceeded", Boolean.toString(pivotSucceeded));
        if (currentStep >= 0) {
            facts.put("step", definition.step(currentStep).name());
            facts.put("stepStatus", state.step(currentStep).status().name());
        }
        if (pivotSucceeded) {
            return new Choice(Direction.FORWARD, "deadline-passed-after-pivot",
                    "the deadline passed after the pivot; the transaction can only go forward", facts, null);
        }
        Choice rollback = new Choice(Direction.ROLLBACK, "deadline-exceeded-before-pivot",
                "the transaction's deadline passed before the pivot; undoing what was done", facts, null);
        if (currentStep < 0) {
            return rollback;
        }
        StepState current = state.step(currentStep);
        boolean outstanding = current.status() == StepStatus.RUNNING;
        return unlessPivotInDoubt(definition.step(currentStep),
                outstanding ? current.timedOut() : current, rollback, facts);
    }

    /**
     * Attempts a compensation gets against transient failures and timeouts, whatever the step's maxAttempts: about
     * five minutes of retries at the default backoff (10 s at most between attempts), longer when each attempt times
     * out. A compensation must eventually succeed; a participant that is down or overloaded for a while must slow the
     * rollback down, not park it (an overload would otherwise turn into a queue of parked transactions).
     */
    public static final int COMPENSATION_ATTEMPTS_WHEN_TRANSIENT = 30;

    /** A compensation failed or timed out: compensations are retried until their budget runs out. */
    public static Choice afterCompensationFailure(Definition definition, TxState state, int stepIndex, Failure failure,
                                                  Instant now) {
        StepDefinition step = definition.step(stepIndex);
        int attempt = state.step(stepIndex).compensationAttempt();
        int budget = failure == Failure.PERMANENT ? step.retry().maxAttempts()
                : Math.max(step.retry().maxAttempts(), COMPENSATION_ATTEMPTS_WHEN_TRANSIENT);
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("step", step.name());
        facts.put("failure", failure.name());
        facts.put("attempt", Integer.toString(attempt));
        facts.put("maxAttempts", Integer.toString(budget));
        if (attempt < budget) {
            Instant retryAt = now.plus(step.retry().backoff(attempt, seed(state, step.name(), Phase.COMPENSATION, attempt)));
            facts.put("retryAt", retryAt.toString());
            return new Choice(Direction.ROLLBACK, "compensation-retry", "the compensation of " + step.name()
                    + " is retried (attempt " + (attempt + 1) + " of " + budget + ")", facts, retryAt);
        }
        return new Choice(Direction.PARK, "compensation-exhausted", "the compensation of " + step.name() + " failed "
                + attempt + " times; an operator must finish the rollback", facts, null);
    }

    /** Rolling back past a pivot that may have happened would undo only half a transaction: park instead. */
    private static Choice unlessPivotInDoubt(StepDefinition step, StepState current, Choice rollback,
                                             Map<String, String> facts) {
        if (step.kind() == StepKind.PIVOT && current.inDoubt()) {
            return new Choice(Direction.PARK, "pivot-outcome-unknown", "the outcome of the pivot " + step.name()
                    + " is unknown; rolling back could undo only half of a transaction that went through", facts, null);
        }
        return rollback;
    }

    /**
     * Whether the transaction is past its point of no return: the pivot succeeded, or (in a definition without one)
     * a retriable step did, which has no compensation either. Rolling back then would leave that effect behind.
     */
    private static boolean pivotSucceeded(Definition definition, TxState state) {
        for (int i = 0; i < definition.steps().size(); i++) {
            StepKind kind = definition.step(i).kind();
            if ((kind == StepKind.PIVOT || kind == StepKind.RETRIABLE) && state.step(i).status() == StepStatus.SUCCEEDED) {
                return true;
            }
        }
        return false;
    }

    /** Jitter seed: stable for one (transaction, step, phase, attempt), different across them. */
    private static long seed(TxState state, String step, Phase phase, int attempt) {
        return ((long) state.txId().hashCode() << 32) ^ (step + ":" + phase + ":" + attempt).hashCode();
    }

}
