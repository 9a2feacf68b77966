package io.sagalog.app;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Limits of the HTTP front end that keep one node serving under abuse and overload (README, "HTTP limits and
 * overload").
 *
 * @param maxConnections open connections beyond this are closed at once; the node uses the smaller of this and
 *                       {@link #fdBudget} (see {@link #effectiveMaxConnections})
 * @param idleTimeout a connection with no bytes either way for this long is closed; also how long a kept-alive
 *                    connection may take to send its next request's headers
 * @param headerTimeout a new connection must have sent its first request's headers within this
 * @param requestTimeout every request is answered within this (a submit whose outcome Kafka has not told yet
 *                       says so: 503 "outcome unknown"; a body that does not arrive: 408)
 * @param maxHeaderSize all headers of one request together, bytes (431 beyond)
 * @param maxInitialLineLength the request line, bytes (414 beyond)
 * @param maxInFlightSubmits appends waiting for Kafka's acknowledgement; beyond this a submit is answered 503 at once
 * @param maxEngineLag records the engine has not read yet from its input topics; beyond this a submit is answered 503
 * @param maxDeliveryDelay how long step requests of a definition's participants may wait before delivery (the engine's
 *                         lag plus the step topic's backlog); beyond this its submits are answered 503 (at most a
 *                         quarter of the definition's shortest step timeout, at least 50 ms); 0 turns this off
 */
public record HttpLimits(int maxConnections, Duration idleTimeout, Duration headerTimeout, Duration requestTimeout,
                         int maxHeaderSize, int maxInitialLineLength, int maxInFlightSubmits, long maxEngineLag,
                         Duration maxDeliveryDelay) {

    public static final int DEFAULT_MAX_CONNECTIONS = 4096;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_HEADER_SIZE = 8192;
    public static final int DEFAULT_MAX_INITIAL_LINE_LENGTH = 4096;
    public static final int DEFAULT_MAX_IN_FLIGHT_SUBMITS = 1024;
    public static final long DEFAULT_MAX_ENGINE_LAG = 100_000;
    public static final Duration DEFAULT_MAX_DELIVERY_DELAY = Duration.ofSeconds(1);
    /** File descriptors kept for Kafka (an embedded broker's segments and sockets), RocksDB, jars and logs. */
    static final long FD_RESERVE = 4096;

    public HttpLimits {
        if (maxConnections < 1 || maxHeaderSize < 256 || maxInitialLineLength < 256 || maxInFlightSubmits < 1
                || maxEngineLag < 1) {
            throw new IllegalArgumentException("HTTP limits must be positive (header and line sizes at least 256 bytes)");
        }
        for (Duration d : new Duration[] {idleTimeout, headerTimeout, requestTimeout}) {
            if (d == null || d.toMillis() < 1) {
                throw new IllegalArgumentException("HTTP timeouts must be at least 1 ms");
            }
        }
        if (maxDeliveryDelay == null || maxDeliveryDelay.isNegative()) {
            throw new IllegalArgumentException("--max-delivery-delay must be 0 (no delivery admission) or more");
        }
    }

    public static HttpLimits defaults() {
        return new HttpLimits(DEFAULT_MAX_CONNECTIONS, DEFAULT_IDLE_TIMEOUT, DEFAULT_HEADER_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_MAX_HEADER_SIZE, DEFAULT_MAX_INITIAL_LINE_LENGTH, DEFAULT_MAX_IN_FLIGHT_SUBMITS, DEFAULT_MAX_ENGINE_LAG,
                DEFAULT_MAX_DELIVERY_DELAY);
    }

    public HttpLimits withMaxConnections(int n) {
        return new HttpLimits(n, idleTimeout, headerTimeout, requestTimeout, maxHeaderSize, maxInitialLineLength,
                maxInFlightSubmits, maxEngineLag, maxDeliveryDelay);
    }

    public HttpLimits withTimeouts(Duration idle, Duration header, Duration request) {
        return new HttpLimits(maxConnections, idle, header, request, maxHeaderSize, maxInitialLineLength,
                maxInFlightSubmits, maxEngineLag, maxDeliveryDelay);
    }

    public HttpLimits withMaxInFlightSubmits(int n) {
        return new HttpLimits(maxConnections, idleTimeout, headerTimeout, requestTimeout, maxHeaderSize,
                maxInitialLineLength, n, maxEngineLag, maxDeliveryDelay);
    }

    public HttpLimits withMaxEngineLag(long n) {
        return new HttpLimits(maxConnections, idleTimeout, headerTimeout, requestTimeout, maxHeaderSize,
                maxInitialLineLength, maxInFlightSubmits, n, maxDeliveryDelay);
    }

    public HttpLimits withMaxDeliveryDelay(Duration d) {
        return new HttpLimits(maxConnections, idleTimeout, headerTimeout, requestTimeout, maxHeaderSize,
                maxInitialLineLength, maxInFlightSubmits, maxEngineLag, d);
    }

    /** The connection cap the node applies: the configured one, at most {@link #fdBudget} of this process. */
    public int effectiveMaxConnections() {
        return (int) Math.min(maxConnections, fdBudget(maxFileDescriptors()));
    }

    /**
     * Connections this process can hold without starving Kafka: half of what the open-file limit leaves after
     * {@link #FD_RESERVE} (each connection may briefly cost a second descriptor, e.g. a forwarded request), at least 64.
     */
    static long fdBudget(long maxFileDescriptors) {
        if (maxFileDescriptors <= 0) {
            return Long.MAX_VALUE;
        }
        return Math.max(64, (maxFileDescriptors - FD_RESERVE) / 2);
    }

    /** The process's open-file limit ({@code ulimit -n}), or -1 where the JVM cannot tell. */
    static long maxFileDescriptors() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return -1;
    }
}
