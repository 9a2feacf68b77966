package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.compensators.Participant;
import io.sagalog.compensators.ParticipantWorker;
import io.sagalog.compensators.PermanentFailure;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.DefinitionParser;
import io.sagalog.engine.EngineConfig;
import io.sagalog.schemas.TopicNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code sagalog_transaction_duration_seconds} observes each transaction once, when the engine decides its outcome,
 * and not again when a restarted engine restores its stores and reads the same inputs once more; and
 * {@code sagalog_build_info} names the version and the Java runtime.
 */
class TransactionDurationMetricIntegrationTest {
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String completes = "duration-ok-" + suffix;
    private final String rollsBack = "duration-refused-" + suffix;
    private final String applicationId = "it-duration-" + suffix;
    private final List<ParticipantWorker> workers = new ArrayList<>();
    private SagalogNode node;
    private HttpTestNode.Api api;

    @AfterEach
    void stop() {
        workers.forEach(ParticipantWorker::close);
        if (node != null) {
            node.close();
        }
    }

    @Test
    void shouldObserveEachTransactionOnceAlsoWhenARestartedEngineRestoresAndReadsItsInputsAgain() throws Exception {
        String bootstrap = KafkaFixture.bootstrapServers();
        Path stateDir = Files.createTempDirectory("sagalog-duration-it");
        workers.add(ParticipantWorker.start(Participant.named("hotels-" + suffix)
                .action("reserve", call -> Map.of("room", 7)).compensation("cancel", call -> { }).build(), bootstrap));
        workers.add(ParticipantWorker.start(Participant.named("payments-" + suffix).action("charge", call -> {
            if (call.definition().equals(rollsBack)) {
                throw new PermanentFailure("card declined");
            }
            return Map.of("charge", "ch_1");
        }).build(), bootstrap));
        start(bootstrap, stateDir);
        Map<TopicPartition, Long> controlBefore = controlEndOffsets(bootstrap);

        List<String> finished = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            finished.add(api.submit(completes, "{\"n\":" + i + "}"));
        }
        for (int i = 0; i < 2; i++) {
            finished.add(api.submit(rollsBack, "{\"refuse\":" + i + "}"));
        }
        for (String txId : finished) {
            api.awaitStatus(txId, Duration.ofSeconds(60), "COMPLETED", "ROLLED_BACK");
        }

        assertThat(count(completes, "COMPLETED")).isEqualTo(3);
        assertThat(count(rollsBack, "ROLLED_BACK")).isEqualTo(2);
        // The histogram counts the same transitions as the counters.
        assertThat(api.metric("sagalog_transactions_completed_total", "{definition=\"" + completes + "\"}")).isEqualTo(3);
        assertThat(api.metric("sagalog_transactions_rolled_back_total", "{definition=\"" + rollsBack + "\"}")).isEqualTo(2);
        double seconds = api.metric("sagalog_transaction_duration_seconds_sum",
                "{definition=\"" + completes + "\",outcome=\"COMPLETED\"}");
        assertThat(seconds).isGreaterThan(0).isLessThan(180);
        assertThat(api.get("/metrics").body()).contains("sagalog_build_info{java_version=\""
                + System.getProperty("java.version") + "\",version=\"" + SagalogCli.VERSION + "\"} 1");

        // Restart on an empty state directory with the group's offsets back where this test began: the stores are
        // restored from their changelogs and every input of these transactions is read and decided again (what
        // follows a crash between a decision and the commit of its input).
        node.close();
        node = null;
        rewind(bootstrap, controlBefore);
        deleteRecursively(stateDir);
        start(bootstrap, stateDir);
        // Positive control: the replayed results reach the engine (a success for a finished transaction is ignored).
        Awaitility.await("the inputs are read again").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> api.metric("sagalog_late_results_total", "{outcome=\"ignored\"}") >= 3);
        String after = api.submit(completes, "{\"n\":99}");
        api.awaitStatus(after, Duration.ofSeconds(60), "COMPLETED");

        assertThat(count(completes, "COMPLETED")).as("only the transaction finished after the restart").isEqualTo(1);
        assertThat(count(rollsBack, "ROLLED_BACK")).as("nothing rolled back after the restart").isNaN();
    }

    private double count(String definition, String outcome) throws Exception {
        return api.metric("sagalog_transaction_duration_seconds_count",
                "{definition=\"" + definition + "\",outcome=\"" + outcome + "\"}");
    }

    private void start(String bootstrap, Path stateDir) throws Exception {
        String catalog = """
                {"name": "%s", "steps": [
                  {"name": "reserve", "participant": "hotels-%s", "action": "reserve", "compensation": "cancel"},
                  {"name": "charge", "participant": "payments-%s", "action": "charge", "kind": "pivot"}]}""";
        String refused = """
                {"name": "%s", "steps": [
                  {"name": "reserve", "participant": "hotels-%s", "action": "reserve", "compensation": "cancel"},
                  {"name": "charge", "participant": "payments-%s", "action": "charge", "compensation": "cancel"}]}""";
        EngineConfig engine = EngineConfig.defaults(bootstrap, stateDir).withApplicationId(applicationId)
                .withOverrides(Map.of(StreamsConfig.mainConsumerPrefix("auto.offset.reset"), "latest"));
        node = SagalogNode.start(new SagalogNode.Options(engine, "127.0.0.1", 0, 3, DefinitionCatalog.of(List.of(
                DefinitionParser.parse(catalog.formatted(completes, suffix, suffix), 1),
                DefinitionParser.parse(refused.formatted(rollsBack, suffix, suffix), 1)))));
        api = new HttpTestNode.Api(node.port());
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private static Map<TopicPartition, Long> controlEndOffsets(String bootstrap) throws Exception {
        String control = TopicNames.DEFAULT.control().name();
        try (Admin admin = admin(bootstrap)) {
            int partitions = admin.describeTopics(List.of(control)).allTopicNames().get().get(control).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(control, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> offsets = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> offsets.put(tp, info.offset()));
            return offsets;
        }
    }

    /** Sets the engine group's committed control-log offsets back; retried until the closed member has left. */
    private void rewind(String bootstrap, Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        offsets.forEach((tp, offset) -> committed.put(tp, new OffsetAndMetadata(offset)));
        try (Admin admin = admin(bootstrap)) {
            Awaitility.await("the engine's group accepts new offsets").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> {
                        admin.alterConsumerGroupOffsets(applicationId, committed).all().get();
                        return true;
                    });
        }
    }

    private static void deleteRecursively(Path dir) throws Exception {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
