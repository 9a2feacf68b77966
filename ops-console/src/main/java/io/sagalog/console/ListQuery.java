package io.sagalog.console;

import io.sagalog.engine.Durations;
import io.sagalog.engine.TxStatus;
import io.vertx.core.MultiMap;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The query parameters of {@code GET /v1/transactions}: {@code status}, {@code definition}, {@code cursor} (as a
 * page handed it out), {@code olderThan} (a duration, turned into the newest creation time listed) and {@code limit}.
 *
 * @param createdBefore only transactions created before this (from {@code olderThan}); null: any
 */
record ListQuery(TxStatus status, String definition, String cursor, Instant createdBefore, int limit) {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    private static final Pattern CURSOR = Pattern.compile("[0-9a-f]{16}\\|[0-9A-Za-z-]{1,64}");

    /** Reads the parameters; a wrong one throws IllegalArgumentException with what to send instead. */
    static ListQuery parse(MultiMap params, Instant now) {
        TxStatus status;
        try {
            String s = params.get("status");
            status = s == null || s.isBlank() ? null : TxStatus.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'status' must be one of " + List.of(TxStatus.values()));
        }
        int limit;
        try {
            String l = params.get("limit");
            limit = l == null ? DEFAULT_LIMIT : Integer.parseInt(l);
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'limit' must be a number from 1 to " + MAX_LIMIT);
        }
        String cursor = params.get("cursor");
        if (cursor != null && !CURSOR.matcher(cursor).matches()) {
            throw new IllegalArgumentException("'cursor' is not one this API handed out; pass 'nextCursor' of the "
                    + "previous page as it was");
        }
        String definition = params.get("definition");
        definition = definition == null || definition.isBlank() ? null : definition.trim();
        Instant createdBefore = null;
        String olderThan = params.get("olderThan");
        if (olderThan != null) {
            try {
                createdBefore = now.minus(Durations.parse(olderThan));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'olderThan' must be a duration such as 30s, 10m or 2h ("
                        + e.getMessage() + ")");
            }
        }
        return new ListQuery(status, definition, cursor, createdBefore, limit);
    }
}
