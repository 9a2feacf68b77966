package io.sagalog.bench;

/**
 * A {@link BaselineResult} with what it takes to pair it with a Sagalog run: which building block, at which record
 * size and (for the Streams pass-through) under which processing guarantee. A ratio is only meaningful between
 * like and like: a 1 KB producer rate says little about an 11 KB workload, and an exactly-once pass-through is the
 * ceiling of an exactly-once engine, not of an at-least-once one.
 *
 * @param guarantee the processing guarantee for {@link Kind#STREAMS}; null for the others, which have none
 */
public record MeasuredBaseline(Kind kind, String guarantee, int recordBytes, BaselineResult result) {
    /** The building blocks, with the name a ratio line uses for them. */
    public enum Kind {
        PRODUCER("producer"),
        VERTX_APPEND("Vert.x append"),
        STREAMS("streams pass-through");

        private final String display;

        Kind(String display) {
            this.display = display;
        }

        public String display() {
            return display;
        }
    }

    public MeasuredBaseline {
        if ((kind == Kind.STREAMS) != (guarantee != null)) {
            throw new IllegalArgumentException("only the Streams pass-through has a processing guarantee");
        }
    }

    /** How a ratio line names it, e.g. {@code producer} or {@code streams pass-through at_least_once}. */
    public String display() {
        return guarantee == null ? kind.display() : kind.display() + " " + guarantee;
    }

    /** Whether this baseline is the like-for-like ceiling of a run with this input size and guarantee. */
    public boolean matches(int inputBytes, String runGuarantee) {
        return recordBytes == inputBytes && (guarantee == null || guarantee.equals(runGuarantee));
    }
}
