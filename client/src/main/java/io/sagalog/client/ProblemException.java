package io.sagalog.client;

import java.time.Duration;
import java.util.Optional;

/**
 * The server answered with an error (a status other than 2xx), described by its {@link Problem}. Subclasses name the
 * cases a program usually handles: {@link UnauthorizedException} (401), {@link ForbiddenException} (403),
 * {@link NotFoundException} (404, 410), {@link ConflictException} (409) with {@link StaleTransactionException},
 * and {@link OverloadedException} (503 {@code overloaded}); everything else is this class ({@link #status()} and
 * {@link Problem#slug()} tell it apart, e.g. 422 {@code idempotency-key-reused}).
 */
public class ProblemException extends SagalogException {
    private static final long serialVersionUID = 1L;
    private final transient Problem problem;
    private final Duration retryAfter;

    /**
     * @param retryAfter the answer's {@code Retry-After} (null: none)
     */
    public ProblemException(Problem problem, Duration retryAfter) {
        super(problem.status() + " " + problem.slug() + ": " + (problem.detail() != null ? problem.detail()
                : problem.title()), null);
        this.problem = problem;
        this.retryAfter = retryAfter;
    }

    /** The error as the server described it. */
    public Problem problem() {
        return problem;
    }

    /** The HTTP status. */
    public int status() {
        return problem.status();
    }

    /**
     * How long the server asked the caller to wait before trying again ({@code Retry-After}); empty when it did not
     * ask, which for a 503 means retrying will not help soon.
     */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /**
     * Whether sending the same submit again, with the same idempotency key, may succeed: a 503 (overloaded,
     * unavailable, starting or stopping, or {@code outcome-unknown}, after which the same key answers with the
     * transaction if it was recorded after all).
     */
    public boolean isRetryableSubmit() {
        return problem.status() == 503;
    }
}
