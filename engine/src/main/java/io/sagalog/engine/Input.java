package io.sagalog.engine;

/** Everything the engine reacts to: the records of the control log, as typed values. */
public sealed interface Input permits Input.TxRequested, Input.StepResult, Input.TimerFired, Input.OperatorCommand {

    String txId();

    /** A client asked for a new transaction. */
    record TxRequested(String txId, String definition, String input, String idempotencyKey) implements Input {}

    /**
     * A participant's answer to one attempt of a step's action or compensation.
     *
     * @param queuedMillis how long the request waited before its delivery began (the engine's lag plus the step
     *     topic's backlog), or -1 when its writer did not say; measured, never decided on
     */
    record StepResult(String txId, String step, int attempt, Phase phase, Outcome outcome, String output,
                      String error, long queuedMillis) implements Input {
        public StepResult(String txId, String step, int attempt, Phase phase, Outcome outcome, String output,
                          String error) {
            this(txId, step, attempt, phase, outcome, output, error, -1);
        }
    }

    /** One of the transaction's durable timers is due. */
    record TimerFired(String txId, Timer timer) implements Input {}

    /**
     * An operator's action on one transaction (from the console or its API).
     *
     * @param actionId chosen by the client; a repeated id changes nothing (the action is idempotent)
     * @param step the step it is about, or null for "where the transaction stopped"
     * @param output for {@code skip}: the output to record for the step (JSON text), or null for {}
     * @param actor who asked (the token's name, never the token), for the audit trail
     * @param force for {@code rollback} after the pivot succeeded: the operator accepts undoing the point of no return
     * @param expectedSeq the newest history seq the operator saw (the {@code seq} of the last event on their screen),
     *     or null for no precondition; when the transaction has moved on since, the action is refused
     */
    record OperatorCommand(String txId, String actionId, OperatorAction action, String step, String output,
                           String reason, String actor, boolean force, Long expectedSeq) implements Input {
        /** Without a precondition. */
        public OperatorCommand(String txId, String actionId, OperatorAction action, String step, String output,
                               String reason, String actor, boolean force) {
            this(txId, actionId, action, step, output, reason, actor, force, null);
        }
    }
}
