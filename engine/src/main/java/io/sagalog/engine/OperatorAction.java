package io.sagalog.engine;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What an operator can do to a transaction; the wire names are the lower-case names. */
public enum OperatorAction {
    /** Dispatch a step (its action, or its compensation during rollback) again now, without waiting. */
    RETRY,
    /** Mark a step done by hand: its action succeeded with a given output, or its compensation is not needed. */
    SKIP,
    /** Undo the completed steps now (compensations newest first); after the pivot only with {@code force}. */
    ROLLBACK,
    /** Leave PARKED: dispatch the step the transaction stopped at again. */
    RESUME,
    /** Close the transaction as handled by hand (status RESOLVED); nothing more is dispatched. */
    RESOLVE,
    /** Legal hold: keep the transaction in the stores past its retention, whatever its status, until released. */
    HOLD,
    /** Lift a hold: a finished transaction expires when its retention is over (at once if it is over already). */
    RELEASE;

    /** Whether the action is about how long the transaction is kept, not about its steps (allowed when finished). */
    public boolean isAboutRetention() {
        return this == HOLD || this == RELEASE;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the valid actions */
    public static OperatorAction parse(String text) {
        for (OperatorAction a : values()) {
            if (a.wireName().equals(text)) {
                return a;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not an action; use one of "
                + Arrays.stream(values()).map(OperatorAction::wireName).collect(Collectors.joining(", ")));
    }
}
