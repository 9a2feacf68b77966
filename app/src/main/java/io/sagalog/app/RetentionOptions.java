package io.sagalog.app;

import io.sagalog.engine.Durations;
import io.sagalog.engine.Retention;
import io.sagalog.engine.TopicSettings;
import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * How long finished transactions stay in the engine's stores, by outcome, and how long their archive is kept
 * ({@code sagalog engine}, {@code sagalog dev}); docs/retention.md. A definition's own {@code retention} wins over
 * the first three.
 */
public final class RetentionOptions {
    @Option(names = "--retain-completed", defaultValue = "7d", paramLabel = "DURATION",
            description = "How long a COMPLETED transaction stays before it is archived and evicted (default: ${DEFAULT-VALUE}).")
    String completed;

    @Option(names = "--retain-rolled-back", defaultValue = "30d", paramLabel = "DURATION",
            description = "How long a ROLLED_BACK transaction stays (default: ${DEFAULT-VALUE}).")
    String rolledBack;

    @Option(names = "--retain-resolved", defaultValue = "30d", paramLabel = "DURATION",
            description = "How long a RESOLVED transaction stays (default: ${DEFAULT-VALUE}).")
    String resolved;

    @Option(names = "--expired-marker-retention", defaultValue = "7d", paramLabel = "DURATION",
            description = "How long the engine remembers an expired transaction (GET answers 410 Gone, late inputs are "
                    + "journaled as after expiry); bounds the markers kept (default: ${DEFAULT-VALUE}).")
    String expiredMarkers;

    @Option(names = "--archive-retention", defaultValue = "365d", paramLabel = "DURATION",
            description = "How long the archive topic (sagalog.archive) keeps expired transactions (default: ${DEFAULT-VALUE}).")
    String archive;

    /** The same flags for another process ({@code sagalog dev --engines N} starts engines of their own). */
    public java.util.List<String> asArgs() {
        return java.util.List.of("--retain-completed=" + completed, "--retain-rolled-back=" + rolledBack,
                "--retain-resolved=" + resolved, "--expired-marker-retention=" + expiredMarkers,
                "--archive-retention=" + archive);
    }

    /** The retention the flags ask for; a value out of range is a usage error naming the flag. */
    public Retention retention(Object command) {
        try {
            return new Retention(parse(command, "--retain-completed", completed),
                    parse(command, "--retain-rolled-back", rolledBack), parse(command, "--retain-resolved", resolved),
                    parse(command, "--expired-marker-retention", expiredMarkers));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(new picocli.CommandLine(command), e.getMessage());
        }
    }

    public Duration archiveRetention(Object command) {
        return parse(command, "--archive-retention", archive);
    }

    private static Duration parse(Object command, String flag, String text) {
        try {
            return Durations.parseWithin(text, Retention.MIN, Retention.MAX);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(new picocli.CommandLine(command), flag + ": " + e.getMessage()
                    + " (e.g. " + TopicSettings.show(Duration.ofDays(7)) + " or 12h)");
        }
    }
}
