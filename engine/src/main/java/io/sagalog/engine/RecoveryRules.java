package io.sagalog.engine;

import java.time.Instant;
import java.util.LinkedHashMap;
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
                return new Choice.Retry(Rule.RETRIABLE_STEP_RETRY, step.name()
                        + " is past the point of no return, so it is retried (attempt " + (attempt + 1) + " of "
                        + step.retry().maxAttempts() + ")", facts, retryAt);
            }
            return new Choice.Park(Rule.RETRIABLE_STEP_EXHAUSTED, step.name() + " failed " + attempt
                    + " times after the pivot; it cannot be rolled back, so an operator must finish it", facts);
        }
        Choice rollback;
        if (failure == Failure.PERMANENT) {
            rollback = new Choice.RollBack(Rule.PERMANENT_FAILURE_BEFORE_PIVOT,
                    step.name() + " was rejected; undoing what was done", facts);
        } else if (attemptsLeft && retryAt.isBefore(state.deadline())) {
            facts.put("retryAt", retryAt.toString());
            return failure == Failure.UNKNOWN
                    ? new Choice.Retry(Rule.UNKNOWN_OUTCOME_RETRY, step.name() + " did not answer in time; "
                            + "retrying with the same idempotency key (attempt " + (attempt + 1) + " of "
                            + step.retry().maxAttempts() + ")", facts, retryAt)
                    : new Choice.Retry(Rule.TRANSIENT_FAILURE_RETRY, step.name() + " failed transiently; "
                            + "attempt " + (attempt + 1) + " of " + step.retry().maxAttempts() + " follows", facts, retryAt);
        } else if (attemptsLeft) {
            facts.put("retryAt", retryAt.toString());
            rollback = new Choice.RollBack(Rule.DEADLINE_WOULD_PASS_BEFORE_RETRY, "the next attempt of "
                    + step.name() + " would start after the transaction's deadline; undoing what was done", facts);
        } else {
            rollback = new Choice.RollBack(Rule.ATTEMPTS_EXHAUSTED_BEFORE_PIVOT, step.name() + " failed "
                    + attempt + " times before the pivot; undoing what was done", facts);
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
            return new Choice.GoOn(Rule.DEADLINE_PASSED_AFTER_PIVOT,
                    "the deadline passed after the pivot; the transaction can only go forward", facts);
        }
        Choice rollback = new Choice.RollBack(Rule.DEADLINE_EXCEEDED_BEFORE_PIVOT,
                "the transaction's deadline passed before the pivot; undoing what was done", facts);
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
            return new Choice.Retry(Rule.COMPENSATION_RETRY, "the compensation of " + step.name()
                    + " is retried (attempt " + (attempt + 1) + " of " + budget + ")", facts, retryAt);
        }
        return new Choice.Park(Rule.COMPENSATION_EXHAUSTED, "the compensation of " + step.name() + " failed "
                + attempt + " times; an operator must finish the rollback", facts);
    }

    /** Rolling back past a pivot that may have happened would undo only half a transaction: park instead. */
    private static Choice unlessPivotInDoubt(StepDefinition step, StepState current, Choice rollback,
                                             Map<String, String> facts) {
        if (step.kind() == StepKind.PIVOT && current.inDoubt()) {
            return new Choice.Park(Rule.PIVOT_OUTCOME_UNKNOWN, "the outcome of the pivot " + step.name()
                    + " is unknown; rolling back could undo only half of a transaction that went through", facts);
        }
        return rollback;
    }

    /**
     * Whether the transaction is past its point of no return: the pivot succeeded, or (in a definition without one)
     * a retriable step did, which has no compensation either. Rolling back then would leave that effect behind.
     */
    private static boolean pivotSucceeded(Definition definition, TxState state) {
        return succeeded(definition, state, StepKind.PIVOT, StepKind.RETRIABLE).isPresent();
    }

    /** The first step of one of these kinds that succeeded, by name: the one place that looks for a pivot. */
    static java.util.Optional<String> succeeded(Definition definition, TxState state, StepKind... kinds) {
        java.util.Set<StepKind> wanted = java.util.Set.of(kinds);
        for (int i = 0; i < definition.steps().size(); i++) {
            if (wanted.contains(definition.step(i).kind()) && state.step(i).status() == StepStatus.SUCCEEDED) {
                return java.util.Optional.of(definition.step(i).name());
            }
        }
        return java.util.Optional.empty();
    }

    /** Jitter seed: stable for one (transaction, step, phase, attempt), different across them. */
    private static long seed(TxState state, String step, Phase phase, int attempt) {
        return ((long) state.txId().hashCode() << 32) ^ (step + ":" + phase + ":" + attempt).hashCode();
    }

}
