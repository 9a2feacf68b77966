package io.sagalog.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher fails over like the engine: its group belongs to the deployment (application id), its member id
 * follows the engine's instance id, and a dead member is evicted after 10 s, not Kafka's default 45 s.
 */
class HttpDispatcherGroupTest {

    @Test
    void shouldJoinTheDeploymentsGroupAsAStaticMemberWithAShortSession() {
        Properties c = HttpDispatcher.consumerConfig("broker:9092", HttpDispatcher.Group.of("payments-prod", "node-a"));

        assertThat(c.get(ConsumerConfig.GROUP_ID_CONFIG)).isEqualTo("payments-prod-http-dispatcher");
        assertThat(c.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)).isEqualTo("node-a-http-dispatcher");
        assertThat(c.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)).isEqualTo(6_000);
        assertThat(c.get(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG)).isEqualTo(1_000);
    }

    @Test
    void shouldBeADynamicMemberWhenTheEngineHasNoInstanceId() {
        Properties c = HttpDispatcher.consumerConfig("broker:9092", HttpDispatcher.Group.of("payments-prod", null));

        assertThat(c.get(ConsumerConfig.GROUP_ID_CONFIG)).isEqualTo("payments-prod-http-dispatcher");
        assertThat(c).doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    }
}
