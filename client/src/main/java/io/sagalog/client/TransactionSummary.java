package io.sagalog.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;

/**
 * One item of a list ({@code GET /v1/transactions}): what a list shows, without steps, context or history.
 *
 * @param cursor where this item sits in the list (pages are continued with {@link TransactionPage#nextCursor()})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TransactionSummary(String txId, String definition, int definitionVersion, TransactionStatus status,
                                 String reason, Instant createdAt, Instant updatedAt, String cursor) {
}
