package io.sagalog.engine;

import java.util.Map;

/**
 * Something the engine did to a transaction. In order, these events are the transaction's history:
 * what happened, and for every recovery decision, why.
 */
public sealed interface JournalEvent {

    /** The event name written to the journal, e.g. {@code StepDispatched}. */
    default String type() {
        return getClass().getSimpleName();
    }

    /** Why it happened, for people; null when the type says it all. */
    default String reason() {
        return null;
    }

    /** Which way recovery goes after a failure. */
    enum Direction { FORWARD, ROLLBACK, PARK }

    /** An event about one attempt of one step. */
    sealed interface StepEvent extends JournalEvent {
        String step();

        int attempt();
    }

    record TxStarted(String definition, int definitionVersion) implements JournalEvent {}

    record StepDispatched(String step, int attempt, String participant, String handler) implements StepEvent {}

    record StepSucceeded(String step, int attempt) implements StepEvent {}

    record StepFailed(String step, int attempt, Outcome outcome, String reason) implements StepEvent {}

    /** No result arrived before the attempt's timeout: the action's outcome is unknown. */
    record StepTimedOut(String step, int attempt) implements StepEvent {}

    /** A retry is planned: the attempt is dispatched at {@code at}. */
    record RetryScheduled(String step, int attempt, Phase phase, java.time.Instant at) implements StepEvent {}

    record CompensationDispatched(String step, int attempt, String participant, String handler)
            implements StepEvent {}

    record StepCompensated(String step, int attempt) implements StepEvent {}

    record CompensationFailed(String step, int attempt, Outcome outcome, String reason) implements StepEvent {}

    record CompensationTimedOut(String step, int attempt) implements StepEvent {}

    /** A result that changes nothing: late (older attempt), duplicate, or for a finished transaction. */
    record ResultIgnored(String step, int attempt, Phase phase, Outcome outcome, String reason)
            implements StepEvent {}

    /**
     * Recovery chose a direction after a failure.
     *
     * @param rule the row of the recovery table that fired
     * @param facts what the rule looked at, so a person can check the choice
     */
    record RecoveryDecided(Direction direction, String rule, String reason, Map<String, String> facts)
            implements JournalEvent {
        public RecoveryDecided {
            facts = Map.copyOf(facts);
        }
    }

    /** The transaction's deadline passed; a {@link RecoveryDecided} says what follows. */
    record DeadlinePassed() implements JournalEvent {}

    record TxCompleted() implements JournalEvent {}

    record TxRolledBack() implements JournalEvent {}

    record TxParked(String reason) implements JournalEvent {}

    /** A second request for a transaction that already exists. */
    record RequestIgnored(String reason) implements JournalEvent {}

    /** An input that the transition table does not allow in the current status. */
    record TransitionRejected(TxStatus from, String trigger, String reason) implements JournalEvent {}

    /** An operator's action was applied; {@code reason} is the operator's own words. */
    record OperatorActed(String actionId, OperatorAction action, String step, String actor, String reason,
                         boolean forced) implements JournalEvent {}

    /** An operator's action did not fit the transaction's state; {@code reason} says why. */
    record OperatorActionRefused(String actionId, OperatorAction action, String actor, String reason)
            implements JournalEvent {}

    /** An action id that was already applied: the repeat changes nothing. */
    record OperatorActionIgnored(String actionId, String reason) implements JournalEvent {}

    /**
     * A step's action succeeded after the rollback began (an answer for an attempt the engine had given up on):
     * the effect is real, so its compensation is planned (and dispatched when the rollback gets to it).
     */
    record LateEffectCompensated(String step, int attempt, String reason) implements StepEvent {}

    /** The transaction was in flight with no timer (nothing would have moved it again); the engine repaired it. */
    record TimersRepaired(String reason) implements JournalEvent {}

    /** Closed by an operator as handled by hand. */
    record TxResolved(String reason) implements JournalEvent {}

    /**
     * The finished transaction's retention is over: it was archived and is deleted from the engine's stores (only the
     * journal topic and the archive keep it from now on).
     */
    record TxExpired(TxStatus finalStatus, java.time.Instant expiresAt, String reason) implements JournalEvent {}

    /**
     * An input for a transaction that expired (a late result, a repeated request, an operator action): it changes
     * nothing and never brings the transaction back.
     */
    record InputAfterExpiry(String input, String reason) implements JournalEvent {}
}
