package io.sagalog.engine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How to run the engine.
 *
 * @param instanceId a stable name for this engine instance, or null; with one, a restarted instance takes its
 *     partitions back at once (Kafka static membership) instead of waiting for its old session to time out
 * @param processingGuarantee {@code at_least_once} or {@code exactly_once_v2}; the decider is idempotent either way
 * @param overrides any further Kafka Streams settings, applied last
 */
public record EngineConfig(String bootstrapServers, String applicationId, String instanceId, Path stateDir,
                           String processingGuarantee,
                           int streamThreads, Duration commitInterval, Map<String, Object> overrides) {

    public EngineConfig {
        overrides = Map.copyOf(overrides);
    }

    public static EngineConfig defaults(String bootstrapServers, Path stateDir) {
        return new EngineConfig(bootstrapServers, "sagalog-engine", null, stateDir, "at_least_once", 1,
                Duration.ofMillis(100), Map.of());
    }

    public EngineConfig withApplicationId(String id) {
        return new EngineConfig(bootstrapServers, id, instanceId, stateDir, processingGuarantee, streamThreads,
                commitInterval, overrides);
    }

    public EngineConfig withInstanceId(String id) {
        return new EngineConfig(bootstrapServers, applicationId, id, stateDir, processingGuarantee, streamThreads,
                commitInterval, overrides);
    }

    public EngineConfig withProcessingGuarantee(String guarantee) {
        return new EngineConfig(bootstrapServers, applicationId, instanceId, stateDir, guarantee, streamThreads,
                commitInterval, overrides);
    }

    public EngineConfig withOverrides(Map<String, Object> more) {
        Map<String, Object> all = new java.util.HashMap<>(overrides);
        all.putAll(more);
        return new EngineConfig(bootstrapServers, applicationId, instanceId, stateDir, processingGuarantee,
                streamThreads, commitInterval, all);
    }
}
