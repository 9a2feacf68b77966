package io.sagalog.client;

import java.time.Duration;

/** 503 {@code overloaded}: the server is too busy and recorded nothing; retry after {@link #retryAfter()} with the same idempotency key ({@link SagalogClient#submitRetryingOverload} does). */
public class OverloadedException extends ProblemException {
    private static final long serialVersionUID = 1L;

    public OverloadedException(Problem problem, Duration retryAfter) {
        super(problem, retryAfter);
    }
}
