package io.sagalog.engine.registry;

import java.time.Duration;

/**
 * How to reach one participant.
 *
 * @param url where the HTTP dispatcher POSTs step requests; null for {@code kafka} participants
 * @param timeout how long the dispatcher waits for one HTTP call
 * @param maxConcurrency calls in flight at most (the bulkhead)
 * @param healthUrl optional; polled to open and close the circuit breaker
 */
public record ParticipantInfo(String name, Transport transport, String url, Duration timeout, int maxConcurrency,
                              String healthUrl) {

    public enum Transport { KAFKA, HTTP }

    /** A Java SDK participant: it consumes its step topic itself. */
    public static ParticipantInfo kafka(String name) {
        return new ParticipantInfo(name, Transport.KAFKA, null, Duration.ofSeconds(30), 16, null);
    }
}
