package io.sagalog.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * 409 {@code stale-transaction}: an action carried {@link ActionRequest#expectedSeq} and the transaction has moved on
 * since (its newest event is {@link #currentSeq()}). Nothing was recorded: read the transaction again and decide
 * again on what it shows now.
 */
public class StaleTransactionException extends ConflictException {
    private static final long serialVersionUID = 1L;

    public StaleTransactionException(Problem problem, Duration retryAfter) {
        super(problem, retryAfter);
    }

    /** The {@code seq} of the transaction's newest event when the action was refused. */
    public OptionalLong currentSeq() {
        return seq("currentSeq");
    }

    /** The {@code seq} the action expected. */
    public OptionalLong expectedSeq() {
        return seq("expectedSeq");
    }

    private OptionalLong seq(String member) {
        JsonNode n = problem().extensions().get(member);
        return n != null && n.canConvertToLong() ? OptionalLong.of(n.asLong()) : OptionalLong.empty();
    }
}
