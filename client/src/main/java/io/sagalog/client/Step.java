package io.sagalog.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One step of a transaction, as {@code steps[]} of {@code GET /v1/transactions/{txId}} shows it.
 *
 * @param name the step's name in the definition
 * @param status {@code PENDING}, {@code RUNNING}, {@code SUCCEEDED}, {@code FAILED}, {@code COMPENSATING},
 *               {@code COMPENSATED}, ... (text, so a status added to the server later does not break a client)
 * @param attempt the attempt of its action so far (0: not dispatched yet)
 * @param kind {@code compensatable}, {@code pivot} or {@code retriable}; null when the server could not load the
 *             definition's version
 * @param participant the participant that performs it; null as for {@code kind}
 * @param compensationAttempt attempts of its compensation so far (0: none)
 * @param output what the participant answered (null: nothing yet)
 * @param error the last failure's text (null: none)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Step(String name, String status, int attempt, String kind, String participant, int compensationAttempt,
                   JsonNode output, String error) {
}
