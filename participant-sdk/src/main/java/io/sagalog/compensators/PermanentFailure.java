package io.sagalog.compensators;

/**
 * A business rejection: retrying gives the same answer, so the transaction must change course (roll back before
 * the pivot). Any other exception a handler throws is treated as transient and retried.
 */
public class PermanentFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PermanentFailure(String reason) {
        super(reason);
    }

    public PermanentFailure(String reason, Throwable cause) {
        super(reason, cause);
    }

    /** Reads well at the throw site: {@code throw PermanentFailure.because("no rooms left on " + date)}. */
    public static PermanentFailure because(String reason) {
        return new PermanentFailure(reason);
    }
}
