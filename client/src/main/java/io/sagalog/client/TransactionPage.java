package io.sagalog.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * One page of {@code GET /v1/transactions}, newest first, merged from every engine instance.
 *
 * @param items the transactions of this page
 * @param nextCursor pass it to {@link ListQuery#withCursor} for the next page; null: this is the last page
 * @param unreachable engine instances that did not answer (their transactions are missing from this page);
 *                    empty when every instance answered
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TransactionPage(List<TransactionSummary> items, String nextCursor, List<String> unreachable) {
    public TransactionPage {
        items = items == null ? List.of() : List.copyOf(items);
        unreachable = unreachable == null ? List.of() : List.copyOf(unreachable);
    }

    /** Whether there is a next page. */
    public boolean hasMore() {
        return nextCursor != null;
    }
}
