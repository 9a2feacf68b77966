package io.sagalog.engine;

import java.util.Locale;

/**
 * How a step behaves under recovery (Garcia-Molina and Salem; Richardson).
 *
 * <ul>
 *   <li>{@link #COMPENSATABLE}: can be undone by its compensation.
 *   <li>{@link #PIVOT}: the point of no return; once it succeeded the transaction only moves forward.
 *   <li>{@link #RETRIABLE}: after the pivot; must eventually succeed, so it is only ever retried.
 * </ul>
 */
public enum StepKind {
    COMPENSATABLE, PIVOT, RETRIABLE;

    /** The name used in JSON definitions: lower case. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
