package io.sagalog.engine;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * How long a finished transaction stays in the engine's stores, by how it ended. After that it is archived (topic
 * {@code sagalog.archive}) and deleted from tx-state, tx-history and tx-index. PARKED and in-flight transactions never
 * expire, nor does one an operator put on hold. A definition may override any of the three (its {@code retention}
 * object); the engine's flags ({@code --retain-completed}, {@code --retain-rolled-back}, {@code --retain-resolved})
 * give the rest.
 *
 * @param expiredMarkers how long the engine remembers that a transaction expired ({@code --expired-marker-retention}):
 *     meanwhile a read answers 410 Gone and a late input is journaled as after expiry. This bounds the markers kept:
 *     at most (transactions finishing per second) x this
 */
public record Retention(Duration completed, Duration rolledBack, Duration resolved, Duration expiredMarkers) {
    /** Shortest retention a flag or a definition may ask for (tests and soaks use seconds). */
    public static final Duration MIN = Duration.ofSeconds(1);
    /** Longest: the archive is where transactions live for years, not the stores. */
    public static final Duration MAX = Duration.ofDays(3_650);
    /** A week: long enough for a late answer, a retried request or a person following a link to learn where it went. */
    public static final Duration DEFAULT_EXPIRED_MARKERS = Duration.ofDays(7);
    /** The defaults of the flags: a week for what went well, a month for what needed undoing or a person. */
    public static final Retention DEFAULTS = new Retention(Duration.ofDays(7), Duration.ofDays(30), Duration.ofDays(30));

    /** With the default marker retention. */
    public Retention(Duration completed, Duration rolledBack, Duration resolved) {
        this(completed, rolledBack, resolved, DEFAULT_EXPIRED_MARKERS);
    }

    public Retention {
        for (Duration d : new Duration[] {completed, rolledBack, resolved, expiredMarkers}) {
            if (d == null || d.compareTo(MIN) < 0 || d.compareTo(MAX) > 0) {
                throw new IllegalArgumentException("a retention must be from " + Durations.range(MIN, MAX) + "; got " + d);
            }
        }
    }

    /** How long a transaction that ended in {@code status} stays, or empty for a status that never expires. */
    public Optional<Duration> of(TxStatus status) {
        return Optional.ofNullable(switch (status) {
            case COMPLETED -> completed;
            case ROLLED_BACK -> rolledBack;
            case RESOLVED -> resolved;
            default -> null;
        });
    }

    /** The definition's own retention for {@code status} if it sets one, else this one's. */
    public Optional<Duration> of(TxStatus status, Definition definition) {
        Duration own = definition == null ? null : definition.retention().get(status);
        return own != null && status.isFinal() ? Optional.of(own) : of(status);
    }

    /** The statuses a definition's {@code retention} object may name, as they are spelled there. */
    public static Map<String, TxStatus> overridable() {
        Map<String, TxStatus> names = new java.util.LinkedHashMap<>();
        for (TxStatus s : TxStatus.values()) {
            if (s.isFinal()) {
                names.put(s.name(), s);
            }
        }
        return names;
    }

    /** An empty, immutable override map (a definition without {@code retention}). */
    static Map<TxStatus, Duration> none() {
        return Map.of();
    }

    static Map<TxStatus, Duration> copy(Map<TxStatus, Duration> overrides) {
        return overrides == null || overrides.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(overrides));
    }
}
