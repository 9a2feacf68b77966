package io.sagalog.engine;

import java.time.Duration;

/**
 * How often and how patiently a step is retried.
 *
 * @param maxAttempts attempts in all, the first included
 * @param jitter fraction of each backoff that is randomised, 0 to 1
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff,
                          double jitter) {
    public static final RetryPolicy DEFAULT =
            new RetryPolicy(3, Duration.ofMillis(200), 2.0, Duration.ofSeconds(10), 0.2);

    public boolean hasAttemptsLeftAfter(int attempt) {
        return attempt < maxAttempts;
    }
}
