package io.sagalog.client;

import java.util.Locale;

/** What an operator can do to one transaction ({@code POST /v1/transactions/{txId}/actions}, field {@code action}). */
public enum Action {
    /** Dispatch the step it stands at again now (its action, or its compensation during a rollback). */
    RETRY,
    /** Mark the step it stands at done by hand, with an {@code output}; during a rollback: its compensation. */
    SKIP,
    /** Undo the completed steps now, newest first; after the pivot only with {@code force}. */
    ROLLBACK,
    /** Leave PARKED: dispatch the step it stopped at again. */
    RESUME,
    /** Close it as handled by hand: status RESOLVED, nothing more is dispatched. */
    RESOLVE,
    /** Legal hold: keep it in the stores past its retention until released. */
    HOLD,
    /** Lift a hold. */
    RELEASE;

    /** The name on the wire: the lower-case name. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
