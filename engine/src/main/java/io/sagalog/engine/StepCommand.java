package io.sagalog.engine;

import java.time.Instant;

/**
 * A request for a participant to run one attempt of a step's action or compensation.
 *
 * @param idempotencyKey {@code txId:step:action} or {@code txId:step:compensation}: the same for every attempt
 *     of that phase, so a participant can tell a retry from a new request
 * @param input the transaction input, JSON text
 * @param context outputs of the steps that succeeded so far, a JSON object keyed by step name
 * @param deadline after this instant the engine no longer waits for this attempt
 */
public record StepCommand(String txId, String definition, String participant, String step, Phase phase,
                          String handler, int attempt, String idempotencyKey, String input, String context,
                          Instant deadline) {}
