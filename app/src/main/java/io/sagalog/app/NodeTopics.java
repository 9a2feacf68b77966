package io.sagalog.app;

import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.SagalogTopics;
import io.sagalog.engine.TopicSettings;
import io.sagalog.schemas.KafkaClients;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A node's topics at start: the replication factor decided, missing topics created, existing ones checked. */
final class NodeTopics {
    private static final Logger log = LoggerFactory.getLogger(NodeTopics.class);

    /** @param problems what is wrong with existing topics, one sentence each; YELLOW in {@code /health/cluster} */
    record Checked(TopicSettings settings, List<String> problems) {}

    private NodeTopics() {}

    static Checked ensure(KafkaClients kafka, io.sagalog.schemas.TopicNames names, DefinitionCatalog definitions, int partitions, ClusterSettings cluster)
            throws InterruptedException {
        try (Admin admin = Admin.create(kafka.config(Map.of()))) {
            TopicSettings settings = settings(brokers(admin, kafka), partitions, cluster, kafka);
            SagalogTopics.Outcome outcome = SagalogTopics.ensure(admin, names, definitions, settings);
            if (!outcome.created().isEmpty()) {
                log.info("created topics {} (replication factor {}, min.insync.replicas {})", outcome.created(),
                        settings.replicationFactor(), settings.minInsyncReplicas());
            }
            return new Checked(settings, outcome.problems());
        }
    }

    /** The layout on a cluster of {@code brokers}; more copies than brokers cannot be, and is said so at once. */
    static TopicSettings settings(int brokers, int partitions, ClusterSettings cluster, KafkaClients kafka) {
        TopicSettings settings = new TopicSettings(partitions, cluster.replicationFor(brokers),
                cluster.journalRetention(), cluster.archiveRetention());
        if (settings.replicationFactor() > brokers) {
            throw new IllegalStateException("--replication-factor " + settings.replicationFactor() + " needs at "
                    + "least as many brokers; the cluster at " + kafka.bootstrapServers() + " has " + brokers);
        }
        return settings;
    }

    /** The number of brokers; the first call to the cluster, so a refused login or an unreachable one ends here. */
    static int brokers(Admin admin, KafkaClients kafka) throws InterruptedException {
        try {
            return admin.describeCluster().nodes().get(60, TimeUnit.SECONDS).size();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot use the Kafka cluster at " + kafka.bootstrapServers() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the Kafka cluster at " + kafka.bootstrapServers() + " did not answer "
                    + "within 60 s", e);
        }
    }

    /**
     * The engine's Streams settings that follow from the topics: its internal topics (changelogs, repartition) as
     * replicated as Sagalog's own, the standby replicas, and, where the operator set {@code client.rack}, tasks and
     * standbys placed by rack: the active task near its partitions' leaders ({@code min_traffic}) and each standby
     * on another rack than its active task ({@code rack.aware.assignment.tags}), so one lost rack loses no task.
     */
    static Map<String, Object> streamsSettings(TopicSettings topics, ClusterSettings cluster, KafkaClients kafka) {
        Map<String, Object> s = new HashMap<>();
        s.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) topics.replicationFactor());
        s.put(StreamsConfig.topicPrefix("min.insync.replicas"), Integer.toString(topics.minInsyncReplicas()));
        if (cluster.standbyReplicas() >= 0) {
            s.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, cluster.standbyReplicas());
        }
        kafka.rack().ifPresent(rack -> {
            s.put(StreamsConfig.RACK_AWARE_ASSIGNMENT_STRATEGY_CONFIG,
                    StreamsConfig.RACK_AWARE_ASSIGNMENT_STRATEGY_MIN_TRAFFIC);
            if (rack.length() <= StreamsConfig.MAX_RACK_AWARE_ASSIGNMENT_TAG_VALUE_LENGTH) {
                s.put(StreamsConfig.RACK_AWARE_ASSIGNMENT_TAGS_CONFIG, "rack");
                s.put(StreamsConfig.clientTagPrefix("rack"), rack);
            } else {
                log.warn("client.rack '{}' is longer than the {} characters a Streams client tag may have: standby "
                        + "tasks are not placed by rack", rack, StreamsConfig.MAX_RACK_AWARE_ASSIGNMENT_TAG_VALUE_LENGTH);
            }
        });
        return s;
    }
}
