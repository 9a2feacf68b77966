package io.sagalog.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One event of a transaction's history ({@code history[]}), oldest first.
 *
 * @param seq the event's number, from 0; the newest one's is what {@link ActionRequest#expectedSeq} takes
 * @param type e.g. {@code TxStarted}, {@code StepDispatched}, {@code RecoveryDecided}, {@code OperatorActed}
 * @param at when it was decided
 * @param status the transaction's status after the event
 * @param step the step it is about (null: the transaction as a whole)
 * @param attempt the attempt it is about (null: none)
 * @param reason why, in words (null: none)
 * @param detail more, as the event type defines it (e.g. a recovery decision's rule and facts); null: none
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HistoryEntry(long seq, String type, Instant at, TransactionStatus status, String step, Integer attempt,
                           String reason, JsonNode detail) {
}
