package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagalog.app.archive.ArchiveExport;
import io.sagalog.schemas.KafkaClients;
import io.sagalog.schemas.TopicNames;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.JournalEvent;
import io.sagalog.schemas.avro.JournalRecord;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An engine killed with SIGKILL while finished transactions are expiring, then started again on the same data
 * directory: every one of them is archived and evicted once it is over (none lost, none left), and none is expired
 * twice (one TxExpired decision per transaction in the journal; a replayed decision repeats the same seq).
 */
@Tag("integration")
class ExpiryCrashIntegrationTest {
    private static final String DEFINITION = "expiry-crash-" + UUID.randomUUID().toString().substring(0, 8);
    private static final int PER_BATCH = 15;
    private EngineProcess engine;

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void shouldArchiveAndEvictEveryTransactionOnceAcrossAKillInTheMiddleOfExpiry() throws Exception {
        String bootstrap = KafkaFixture.bootstrapServers();
        Path base = Files.createTempDirectory("sagalog-expiry-crash");
        engine = new EngineProcess(new EngineProcess.Settings(bootstrap, base.resolve("data"),
                "it-expiry-crash-" + UUID.randomUUID(), "expiry-1", 3, List.of(), "at_least_once", base.resolve("logs")));
        engine.start();
        HttpTestNode.Api api = new HttpTestNode.Api(engine.awaitReady(Duration.ofSeconds(120)));
        // Its participant is never registered: every transaction parks at its first step and ends when resolved;
        // a resolved one is kept 3 s (the definition's own retention), then archived and evicted.
        api.registerDefinition(DEFINITION, """
                {"retention": {"RESOLVED": "3s"},
                 "steps": [{"name": "only", "participant": "expiry-crash-nobody", "action": "do", "kind": "pivot"}]}""");
        List<String> first = parkedAndResolved(api, PER_BATCH);
        // The first batch starts expiring; the second is resolved while it does, so the kill falls between expiries.
        Awaitility.await("a first transaction archived and evicted").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50)).until(() -> first.stream().anyMatch(tx -> gone(api, tx)));
        List<String> second = parkedAndResolved(api, PER_BATCH);
        long notYetGone = second.stream().filter(tx -> !gone(api, tx)).count();
        engine.kill();
        // The positive control: the kill came in the middle, some expired and some still waiting.
        assertThat(notYetGone).as("transactions still waiting to expire when the engine was killed").isPositive();

        engine.start();
        HttpTestNode.Api again = new HttpTestNode.Api(engine.awaitReady(Duration.ofSeconds(120)));
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        Awaitility.await("every resolved transaction archived and evicted after the restart")
                .atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> all.stream().allMatch(tx -> gone(again, tx)));

        assertThat(archived(bootstrap)).as("the archive holds each of them (at least once), and nothing else")
                .containsExactlyInAnyOrderElementsOf(all);
        Map<String, Set<Long>> expiries = expiryDecisions(bootstrap, Set.copyOf(all));
        assertThat(expiries.keySet()).as("each expiry journaled").containsExactlyInAnyOrderElementsOf(all);
        expiries.forEach((tx, seqs) -> assertThat(seqs).as("the expiry decisions of " + tx).hasSize(1));
    }

    private static List<String> parkedAndResolved(HttpTestNode.Api api, int n) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(api.submit(DEFINITION, "{}"));
        }
        for (String tx : ids) {
            api.awaitStatus(tx, Duration.ofSeconds(60), "PARKED");
            HttpResponse<String> r = api.postJson(api.base + "/v1/transactions/" + tx + "/actions", "{\"actionId\":\""
                    + UUID.randomUUID() + "\",\"action\":\"resolve\",\"reason\":\"expiry crash test\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        }
        for (String tx : ids) {
            Awaitility.await(tx + " RESOLVED (or expired already)").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(25)).until(() -> {
                        HttpResponse<String> r = api.get("/v1/transactions/" + tx);
                        return r.statusCode() == 410 || (r.statusCode() == 200
                                && HttpTestClient.JSON.readTree(r.body()).path("status").asText().equals("RESOLVED"));
                    });
        }
        return ids;
    }

    private static boolean gone(HttpTestNode.Api api, String txId) {
        try {
            return api.get("/v1/transactions/" + txId).statusCode() == 410;
        } catch (Exception e) {
            throw new IllegalStateException("GET /v1/transactions/" + txId + " failed", e);
        }
    }

    /** The distinct txIds in the archive for this test's definition (readers take the last record per txId). */
    private static Set<String> archived(String bootstrap) throws Exception {
        StringWriter out = new StringWriter();
        ArchiveExport.run(KafkaClients.of(bootstrap), TopicNames.DEFAULT.archive(),
                new ArchiveExport.Filter(null, null, DEFINITION, null), out, (read, total, written) -> { });
        Set<String> ids = new HashSet<>();
        for (String line : out.toString().split("\n")) {
            if (!line.isBlank()) {
                JsonNode record = HttpTestClient.JSON.readTree(line);
                assertThat(record.path("status").asText()).isEqualTo("RESOLVED");
                ids.add(record.path("txId").asText());
            }
        }
        return ids;
    }

    /** Per transaction, the history seqs of its TxExpired events in the journal. */
    private static Map<String, Set<Long>> expiryDecisions(String bootstrap, Set<String> txIds) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "expiry-crash-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, Set<Long>> out = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.JOURNAL.name()));
            // Read until every transaction's expiry was seen (the journal is appended before the eviction is done).
            Awaitility.await("every expiry in the journal").atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO)
                    .until(() -> {
                        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                            if (!txIds.contains(r.key())) {
                                continue;
                            }
                            JournalRecord record = Topics.JOURNAL.serde().decode(r.value());
                            for (JournalEvent e : record.getEvents()) {
                                if (e.getType().equals("TxExpired")) {
                                    out.computeIfAbsent(r.key(), k -> new HashSet<>()).add(e.getSeq());
                                }
                            }
                        }
                        return out.keySet().containsAll(txIds);
                    });
        }
        return out;
    }
}
