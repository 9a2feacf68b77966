package io.sagalog.client;

import java.time.Duration;

/**
 * The filters and paging of {@code GET /v1/transactions}. Start with {@link #all()} and narrow it:
 * {@code ListQuery.all().withStatus(TransactionStatus.PARKED).withDefinition("trip-booking").withLimit(20)}.
 *
 * @param status only transactions with this status (null: any)
 * @param definition only transactions of this definition (null: any)
 * @param olderThan only transactions created at least this long ago (null: any), e.g. to find stuck ones
 * @param cursor continue after this point ({@link TransactionPage#nextCursor()} of the previous page; null: first page)
 * @param limit at most this many items (1 to 500; null: the server's default, 50)
 */
public record ListQuery(TransactionStatus status, String definition, Duration olderThan, String cursor, Integer limit) {
    /** Every transaction, newest first, in pages of the server's default size. */
    public static ListQuery all() {
        return new ListQuery(null, null, null, null, null);
    }

    /** Only transactions with this status. */
    public ListQuery withStatus(TransactionStatus s) {
        return new ListQuery(s, definition, olderThan, cursor, limit);
    }

    /** Only transactions of this definition. */
    public ListQuery withDefinition(String name) {
        return new ListQuery(status, name, olderThan, cursor, limit);
    }

    /** Only transactions created at least this long ago. */
    public ListQuery withOlderThan(Duration age) {
        return new ListQuery(status, definition, age, cursor, limit);
    }

    /** The page after the one that handed out this {@code nextCursor}. */
    public ListQuery withCursor(String next) {
        return new ListQuery(status, definition, olderThan, next, limit);
    }

    /** At most this many items a page (1 to 500). */
    public ListQuery withLimit(int items) {
        return new ListQuery(status, definition, olderThan, cursor, items);
    }
}
