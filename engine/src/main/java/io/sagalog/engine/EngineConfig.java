package io.sagalog.engine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How to run the engine.
 *
 * @param processingGuarantee {@code at_least_once} or {@code exactly_once_v2}; the decider is idempotent either way
 * @param overrides any further Kafka Streams settings, applied last
 */
public record EngineConfig(String bootstrapServers, String applicationId, Path stateDir, String processingGuarantee,
                           int streamThreads, Duration commitInterval, Map<String, Object> overrides) {

    public EngineConfig {
        overrides = Map.copyOf(overrides);
    }

    public static EngineConfig defaults(String bootstrapServers, Path stateDir) {
        return new EngineConfig(bootstrapServers, "sagalog-engine", stateDir, "at_least_once", 1,
                Duration.ofMillis(100), Map.of());
    }

    public EngineConfig withApplicationId(String id) {
        return new EngineConfig(bootstrapServers, id, stateDir, processingGuarantee, streamThreads, commitInterval,
                overrides);
    }
}
