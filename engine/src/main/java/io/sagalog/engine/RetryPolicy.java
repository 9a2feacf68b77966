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

    /**
     * The wait before the attempt after {@code failedAttempt}: {@code initialBackoff * multiplier^(failedAttempt-1)},
     * capped at {@code maxBackoff}, then spread by up to {@code ±jitter}. The spread comes from {@code seed}
     * (derived from the transaction, step and attempt), not from a random generator, so the decider stays pure:
     * the same facts always give the same wait, and different transactions still spread out.
     */
    public Duration backoff(int failedAttempt, long seed) {
        double base = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, failedAttempt - 1));
        double capped = Math.min(base, maxBackoff.toMillis());
        double unit = (mix(seed) >>> 11) * 0x1.0p-53; // uniform in [0, 1)
        double spread = capped * jitter * (2 * unit - 1);
        return Duration.ofMillis(Math.max(1, Math.round(Math.min(capped + spread, maxBackoff.toMillis()))));
    }

    /** SplitMix64 finaliser: turns similar seeds into unrelated bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
