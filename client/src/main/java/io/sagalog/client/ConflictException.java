package io.sagalog.client;

import java.time.Duration;

/**
 * 409: the request does not fit the current state, e.g. an action the transaction's status does not allow
 * ({@code action-refused}, with why in {@link Problem#detail()}), or a name already in use ({@code name-conflict}).
 * Repeating the same request does not help; {@link StaleTransactionException} is the case of an outdated view.
 */
public class ConflictException extends ProblemException {
    private static final long serialVersionUID = 1L;

    public ConflictException(Problem problem, Duration retryAfter) {
        super(problem, retryAfter);
    }
}
