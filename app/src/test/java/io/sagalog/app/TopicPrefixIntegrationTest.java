package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sagalog.compensators.Participant;
import io.sagalog.compensators.ParticipantWorker;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.DefinitionParser;
import io.sagalog.engine.EngineConfig;
import io.sagalog.schemas.TopicNames;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A deployment with its own --topic-prefix on the shared test broker: its node and its SDK worker use only the
 * prefixed topics (and a prefixed consumer group), so it can run beside the default deployment's topics.
 */
@Tag("integration")
class TopicPrefixIntegrationTest {
    private final String bootstrap = KafkaFixture.bootstrapServers();
    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final TopicNames names = TopicNames.of("team-" + id + ".");
    private final String participant = "prefixed-" + id;

    @Test
    void shouldRunADeploymentOnlyOnItsPrefixedTopics() throws Exception {
        String definition = "{\"name\":\"prefixed-" + id + "\",\"deadline\":\"1m\",\"steps\":[{\"name\":\"only\","
                + "\"participant\":\"" + participant + "\",\"action\":\"do\",\"compensation\":\"undo\","
                + "\"kind\":\"compensatable\",\"timeout\":\"10s\"}]}";
        AtomicInteger calls = new AtomicInteger();
        Participant p = Participant.named(participant).action("do", call -> Map.of("n", calls.incrementAndGet()))
                .compensation("undo", call -> Map.of()).build();
        EngineConfig engine = EngineConfig.defaults(bootstrap, Files.createTempDirectory("sagalog-prefix-it"))
                .withApplicationId("prefix-it-" + id).withTopics(names);
        // Its journal exists already, inheriting the broker's 7-day retention: the node extends it to the 30 days asked.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(names.journal().name(), 2, (short) 1)))
                    .all().get();
        }
        Properties sdk = new Properties();
        sdk.setProperty("bootstrap.servers", bootstrap);
        sdk.setProperty(ParticipantWorker.TOPIC_PREFIX, names.prefix());
        try (SagalogNode node = SagalogNode.start(new SagalogNode.Options(engine, "127.0.0.1", 0, 2,
                DefinitionCatalog.of(List.of(DefinitionParser.parse(definition, 1)))));
             ParticipantWorker worker = ParticipantWorker.start(p, sdk);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            HttpTestClient http = new HttpTestClient(node.port());
            HttpResponse<String> accepted = http.submit("{\"definition\":\"prefixed-" + id + "\",\"input\":{}}");
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            String txId = HttpTestClient.JSON.readTree(accepted.body()).path("txId").asText();

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
                HttpResponse<String> r = http.get("/v1/transactions/" + txId);
                return r.statusCode() == 200
                        && HttpTestClient.JSON.readTree(r.body()).path("status").asText().equals("COMPLETED");
            });
            assertThat(calls.get()).isEqualTo(1);

            Set<String> topics = admin.listTopics().names().get();
            assertThat(topics).contains("team-" + id + ".control", "team-" + id + ".journal",
                    "team-" + id + ".definitions", "team-" + id + ".participants", "team-" + id + ".steps." + participant)
                    .doesNotContain("sagalog.steps." + participant);
            assertThat(admin.listConsumerGroups().all().get()).extracting(g -> g.groupId())
                    .contains("team-" + id + "-participant-" + participant)
                    .doesNotContain("sagalog-participant-" + participant);
            var journal = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, names.journal().name());
            var retention = admin.describeConfigs(List.of(journal)).all().get().get(journal).get("retention.ms");
            assertThat(retention.value()).isEqualTo(Long.toString(Duration.ofDays(30).toMillis()));
            assertThat(retention.source()).isEqualTo(org.apache.kafka.clients.admin.ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            // The registry of this deployment has the definition.
            assertThat(node.registry().definitions().names()).contains("prefixed-" + id);
        }
    }
}
