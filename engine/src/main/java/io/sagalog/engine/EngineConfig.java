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
 * @param kafka the cluster and the operator's client settings (security, rack), applied to every Streams client
 * @param overrides any further Kafka Streams settings, applied last
 * @param topics the names of the deployment's topics (null: the default {@code sagalog.*})
 * @param retention how long finished transactions stay in the stores, by outcome (null: {@link Retention#DEFAULTS})
 */
public record EngineConfig(io.sagalog.schemas.KafkaClients kafka, String applicationId, String instanceId, Path stateDir,
                           String processingGuarantee,
                           int streamThreads, Duration commitInterval, Map<String, Object> overrides,
                           io.sagalog.schemas.TopicNames topics, Retention retention) {

    public EngineConfig {
        overrides = Map.copyOf(overrides);
        topics = topics == null ? io.sagalog.schemas.TopicNames.DEFAULT : topics;
        retention = retention == null ? Retention.DEFAULTS : retention;
    }

    /** With the default retention. */
    public EngineConfig(io.sagalog.schemas.KafkaClients kafka, String applicationId, String instanceId, Path stateDir,
                        String processingGuarantee, int streamThreads, Duration commitInterval,
                        Map<String, Object> overrides, io.sagalog.schemas.TopicNames topics) {
        this(kafka, applicationId, instanceId, stateDir, processingGuarantee, streamThreads, commitInterval, overrides,
                topics, null);
    }

    /** The same engine keeping finished transactions as long as {@code keep} says ({@code --retain-*}). */
    public EngineConfig withRetention(Retention keep) {
        return new EngineConfig(kafka, applicationId, instanceId, stateDir, processingGuarantee, streamThreads,
                commitInterval, overrides, topics, keep);
    }

    /** With the default topic names ({@code sagalog.*}). */
    public EngineConfig(io.sagalog.schemas.KafkaClients kafka, String applicationId, String instanceId, Path stateDir,
                        String processingGuarantee, int streamThreads, Duration commitInterval,
                        Map<String, Object> overrides) {
        this(kafka, applicationId, instanceId, stateDir, processingGuarantee, streamThreads, commitInterval, overrides,
                null);
    }

    /** The same engine on the topics of another deployment (--topic-prefix). */
    public EngineConfig withTopics(io.sagalog.schemas.TopicNames names) {
        return new EngineConfig(kafka, applicationId, instanceId, stateDir, processingGuarantee, streamThreads,
                commitInterval, overrides, names, retention);
    }

    /** The bootstrap servers of {@link #kafka}. */
    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public static EngineConfig defaults(String bootstrapServers, Path stateDir) {
        return defaults(io.sagalog.schemas.KafkaClients.of(bootstrapServers), stateDir);
    }

    public static EngineConfig defaults(io.sagalog.schemas.KafkaClients kafka, Path stateDir) {
        return new EngineConfig(kafka, "sagalog-engine", null, stateDir, "at_least_once", 1,
                Duration.ofMillis(100), Map.of());
    }

    public EngineConfig withApplicationId(String id) {
        return new EngineConfig(kafka, id, instanceId, stateDir, processingGuarantee, streamThreads,
                commitInterval, overrides, topics, retention);
    }

    public EngineConfig withInstanceId(String id) {
        return new EngineConfig(kafka, applicationId, id, stateDir, processingGuarantee, streamThreads,
                commitInterval, overrides, topics, retention);
    }

    public EngineConfig withProcessingGuarantee(String guarantee) {
        return new EngineConfig(kafka, applicationId, instanceId, stateDir, guarantee, streamThreads,
                commitInterval, overrides, topics, retention);
    }

    public EngineConfig withOverrides(Map<String, Object> more) {
        Map<String, Object> all = new java.util.HashMap<>(overrides);
        all.putAll(more);
        return new EngineConfig(kafka, applicationId, instanceId, stateDir, processingGuarantee,
                streamThreads, commitInterval, all, topics, retention);
    }
}
