package io.sagalog.engine;

import java.time.Instant;
import java.util.List;

/**
 * One page of a transaction list, newest first.
 *
 * @param nextCursor pass it back for the next page; null on the last page
 */
public record TransactionPage(List<Summary> items, String nextCursor) {
    public TransactionPage {
        items = List.copyOf(items);
    }

    /**
     * One transaction in a list.
     *
     * @param cursor where this item sits in the list order; pages from several instances merge by it
     */
    public record Summary(String txId, String definition, int definitionVersion, TxStatus status, String reason,
                          Instant createdAt, Instant updatedAt, String cursor) {}

    /** How many transactions of a definition are in a status. */
    public record Count(String definition, TxStatus status, long count) {}
}
