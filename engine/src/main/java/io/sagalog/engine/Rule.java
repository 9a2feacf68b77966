package io.sagalog.engine;

import io.sagalog.engine.JournalEvent.Direction;

/**
 * Every rule of the recovery table (DESIGN section 4, docs/recovery.md "The decision table"), in the order they are
 * tried, with the direction it decides and when it applies. A decision names its rule in the journal
 * ({@code RecoveryDecided.rule}) by {@link #id()}; the table in docs/recovery.md is checked against this enum.
 */
public enum Rule {
    RETRIABLE_STEP_RETRY("retriable-step-retry", Direction.FORWARD,
            "a retriable step, or any step after the pivot succeeded, failed and has attempts left"),
    RETRIABLE_STEP_EXHAUSTED("retriable-step-exhausted", Direction.PARK,
            "a retriable step, or any step after the pivot succeeded, used all its attempts"),
    PIVOT_OUTCOME_UNKNOWN("pivot-outcome-unknown", Direction.PARK,
            "the pivot's outcome is unknown and the transaction would otherwise roll back"),
    PERMANENT_FAILURE_BEFORE_PIVOT("permanent-failure-before-pivot", Direction.ROLLBACK,
            "a compensatable step or the pivot was rejected"),
    TRANSIENT_FAILURE_RETRY("transient-failure-retry", Direction.FORWARD,
            "a transient failure before the pivot, with attempts and deadline left"),
    UNKNOWN_OUTCOME_RETRY("unknown-outcome-retry", Direction.FORWARD,
            "a timeout before the pivot, with attempts and deadline left; the retry keeps the idempotency key"),
    DEADLINE_WOULD_PASS_BEFORE_RETRY("deadline-would-pass-before-retry", Direction.ROLLBACK,
            "attempts are left, but the next one would start after the transaction's deadline"),
    ATTEMPTS_EXHAUSTED_BEFORE_PIVOT("attempts-exhausted-before-pivot", Direction.ROLLBACK,
            "a step before the pivot used all its attempts"),
    DEADLINE_EXCEEDED_BEFORE_PIVOT("deadline-exceeded-before-pivot", Direction.ROLLBACK,
            "the transaction's deadline passed before the pivot succeeded"),
    DEADLINE_PASSED_AFTER_PIVOT("deadline-passed-after-pivot", Direction.FORWARD,
            "the deadline passed after the pivot succeeded: the transaction can only finish"),
    COMPENSATION_RETRY("compensation-retry", Direction.ROLLBACK,
            "a compensation failed or timed out and has attempts left (compensations are retried by contract)"),
    COMPENSATION_EXHAUSTED("compensation-exhausted", Direction.PARK,
            "a compensation used all its attempts (the step's maxAttempts when rejected, at least 30 against "
                    + "transient failures and timeouts); an operator must finish the rollback"),
    LATE_EFFECT_AFTER_ROLLBACK("late-effect-after-rollback", Direction.PARK,
            "a step without a compensation (pivot, retriable) succeeded after the rollback began: its effect cannot "
                    + "be undone, so an operator must reconcile"),
    ENGINE_ERROR("engine-error", Direction.PARK,
            "deciding this transaction failed inside the engine (a bug or a value out of range); it parks with the "
                    + "error so the partition moves on"),
    STEP_REQUEST_TOO_LARGE("step-request-too-large", Direction.PARK,
            "the next step request (input plus the outputs of earlier steps) is larger than a Kafka record may be"),
    OPERATOR_ROLLBACK("operator-rollback", Direction.ROLLBACK, "an operator rolled the transaction back");

    private final String id;
    private final Direction direction;
    private final String when;

    Rule(String id, Direction direction, String when) {
        this.id = id;
        this.direction = direction;
        this.when = when;
    }

    /** The name the journal, metrics and docs use, e.g. {@code transient-failure-retry}. */
    public String id() {
        return id;
    }

    public Direction direction() {
        return direction;
    }

    /** When it applies, in words. */
    public String when() {
        return when;
    }
}
