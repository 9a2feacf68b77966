package io.sagalog.app;

/**
 * A value given on the command line that cannot be used (a malformed duration, say), found after picocli parsed it:
 * told as one line with exit code 2, like picocli's own usage errors.
 */
public final class UsageError extends IllegalArgumentException {
    public UsageError(String message) {
        super(message);
    }
}
