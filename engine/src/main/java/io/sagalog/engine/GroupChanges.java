package io.sagalog.engine;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * INFO lines for the engine group's changes, logged at the end of each rebalance (the move to RUNNING): how many
 * partitions this instance was assigned and lost, and which instances joined or left the group (by their query
 * address, {@code application.server}). An operator reading one instance's log sees the group move without a
 * broker-side tool.
 */
final class GroupChanges {
    private static final Logger log = LoggerFactory.getLogger(SagaEngine.class);

    private Set<TopicPartition> active = Set.of();
    private Set<String> instances;

    /** Called on the move to RUNNING; reads only in-memory metadata, so it may run on a stream thread. */
    void rebalanced(KafkaStreams streams) {
        try {
            describe(streams);
        } catch (RuntimeException e) { // a log line must never hurt the stream thread that changes the state
            log.debug("cannot describe the engine's group after a rebalance: {}", e.toString());
        }
    }

    private synchronized void describe(KafkaStreams streams) {
        Set<TopicPartition> nowActive = new HashSet<>();
        Set<TopicPartition> nowStandby = new HashSet<>();
        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
            thread.activeTasks().forEach(task -> nowActive.addAll(task.topicPartitions()));
            thread.standbyTasks().forEach(task -> nowStandby.addAll(task.topicPartitions()));
        }
        Set<String> nowInstances = new TreeSet<>();
        for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
            nowInstances.add(m.hostInfo().host() + ":" + m.hostInfo().port());
        }
        long assigned = nowActive.stream().filter(p -> !active.contains(p)).count();
        long revoked = active.stream().filter(p -> !nowActive.contains(p)).count();
        if (instances == null) {
            log.info("engine joined its group: {} instance(s) {}", nowInstances.size(), nowInstances);
        } else {
            nowInstances.stream().filter(i -> !instances.contains(i))
                    .forEach(i -> log.info("engine instance {} joined the group", i));
            instances.stream().filter(i -> !nowInstances.contains(i))
                    .forEach(i -> log.info("engine instance {} left the group", i));
        }
        log.info("engine rebalanced: {} partition(s) assigned, {} revoked; this instance now has {} active and {} "
                + "standby, the group {} instance(s)", assigned, revoked, nowActive.size(), nowStandby.size(),
                nowInstances.size());
        active = nowActive;
        instances = nowInstances;
    }
}
