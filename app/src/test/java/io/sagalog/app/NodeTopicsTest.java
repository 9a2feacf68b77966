package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.TopicSettings;
import io.sagalog.schemas.KafkaClients;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Streams settings a node derives from its topic layout and client settings. */
class NodeTopicsTest {

    @Test
    void shouldReplicateTheEngineTopicsAsSagalogsOwnAndKeepStandbys() {
        Map<String, Object> s = NodeTopics.streamsSettings(new TopicSettings(6, (short) 3, Duration.ofDays(30)),
                new ClusterSettings((short) 0, Duration.ofDays(30), 1), KafkaClients.of("k:9092"));

        assertThat(s).containsEntry("replication.factor", 3).containsEntry("topic.min.insync.replicas", "2")
                .containsEntry("num.standby.replicas", 1).doesNotContainKey("rack.aware.assignment.strategy");
    }

    @Test
    void shouldPlaceTasksAndStandbysByRackWhereClientRackIsSet() {
        Map<String, Object> s = NodeTopics.streamsSettings(new TopicSettings(6, (short) 1, null),
                ClusterSettings.defaults(), KafkaClients.of("k:9092").with(Map.of("client.rack", "eu-west-1a")));

        assertThat(s).containsEntry("replication.factor", 1).containsEntry("topic.min.insync.replicas", "1")
                .doesNotContainKey("num.standby.replicas") // programmatic default: Streams' own
                .containsEntry("rack.aware.assignment.strategy", "min_traffic")
                .containsEntry("rack.aware.assignment.tags", "rack").containsEntry("client.tag.rack", "eu-west-1a");
    }

    @Test
    void shouldAskTwoInSyncCopiesFromThreeOnAndDefaultToAtMostThree() {
        assertThat(new TopicSettings(1, (short) 2, null).minInsyncReplicas()).isEqualTo(1);
        assertThat(new TopicSettings(1, (short) 3, null).minInsyncReplicas()).isEqualTo(2);
        assertThat(TopicSettings.defaultReplication(1)).isEqualTo((short) 1);
        assertThat(TopicSettings.defaultReplication(5)).isEqualTo((short) 3);
        assertThat(TopicSettings.parseRetention("30d")).isEqualTo(Duration.ofDays(30));
        assertThat(TopicSettings.parseRetention("12h")).isEqualTo(Duration.ofHours(12));
    }
}
