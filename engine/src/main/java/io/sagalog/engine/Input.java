package io.sagalog.engine;

/** Everything the engine reacts to: the records of the control log, as typed values. */
public sealed interface Input permits Input.TxRequested, Input.StepResult, Input.TimerFired {

    String txId();

    /** A client asked for a new transaction. */
    record TxRequested(String txId, String definition, String input, String idempotencyKey) implements Input {}

    /** A participant's answer to one attempt of a step's action or compensation. */
    record StepResult(String txId, String step, int attempt, Phase phase, Outcome outcome, String output,
                      String error) implements Input {}

    /** One of the transaction's durable timers is due. */
    record TimerFired(String txId, Timer timer) implements Input {}
}
