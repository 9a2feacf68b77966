package io.sagalog.app.cluster;

import io.sagalog.schemas.Topics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Sagalog's topics, replicated, created before the engines start (which leave existing topics alone): until
 * {@code sagalog engine --replication-factor} exists (branch wt-kafka) an engine creates every topic with one replica.
 * The same names and settings as {@code io.sagalog.engine.SagalogTopics}: the control log stamped by the broker,
 * the registries compacted with one partition, a step topic per participant with the control log's partitions.
 */
public final class ClusterTopics {
    private ClusterTopics() {}

    /** @return the topics created now (existing ones are left alone) */
    public static List<String> create(Admin admin, int partitions, short replication, Collection<String> participants)
            throws Exception {
        String minIsr = replication >= 3 ? "2" : "1";
        List<NewTopic> topics = new ArrayList<>();
        topics.add(new NewTopic(Topics.CONTROL.name(), partitions, replication).configs(Map.of(
                "message.timestamp.type", "LogAppendTime", "min.insync.replicas", minIsr)));
        topics.add(new NewTopic(Topics.JOURNAL.name(), partitions, replication).configs(Map.of("min.insync.replicas", minIsr)));
        for (String registry : List.of(Topics.DEFINITIONS.name(), Topics.PARTICIPANTS.name())) {
            topics.add(new NewTopic(registry, 1, replication).configs(Map.of("cleanup.policy", "compact",
                    "min.insync.replicas", minIsr)));
        }
        for (String participant : participants) {
            topics.add(new NewTopic(Topics.steps(participant).name(), partitions, replication)
                    .configs(Map.of("min.insync.replicas", minIsr)));
        }
        Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t.name())).toList();
        List<String> created = new ArrayList<>();
        for (var e : admin.createTopics(missing).values().entrySet()) {
            try {
                e.getValue().get(30, TimeUnit.SECONDS);
                created.add(e.getKey());
            } catch (ExecutionException x) {
                if (!(x.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create " + e.getKey() + ": " + x.getCause().getMessage(), x.getCause());
                }
            }
        }
        return created;
    }
}
