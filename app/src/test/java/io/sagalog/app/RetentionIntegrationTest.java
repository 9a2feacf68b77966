package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagalog.app.archive.ArchiveExport;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.sagalog.engine.Retention;
import io.sagalog.schemas.KafkaClients;
import io.sagalog.schemas.TopicNames;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.StreamsConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Retention on a real broker, with a retention of a few seconds: a resolved transaction is archived, evicted (410,
 * gone from lists and counts), a held one stays until released, a parked one never goes.
 */
class RetentionIntegrationTest {
    private static final String DEFINITION = "ret-it-" + UUID.randomUUID().toString().substring(0, 8);
    private static final Duration KEEP = Duration.ofSeconds(3);
    private static SagalogNode node;
    private static HttpTestNode.Api api;

    @BeforeAll
    static void start() throws Exception {
        EngineConfig engine = EngineConfig.defaults(KafkaFixture.bootstrapServers(), Files.createTempDirectory("sagalog-ret-it"))
                .withApplicationId("it-retention-" + UUID.randomUUID())
                .withOverrides(Map.of(StreamsConfig.mainConsumerPrefix("auto.offset.reset"), "latest"))
                .withRetention(new Retention(KEEP, KEEP, KEEP, Duration.ofHours(1)));
        node = SagalogNode.start(new SagalogNode.Options(engine, "127.0.0.1", 0, 3, DefinitionCatalog.of(List.of())));
        api = new HttpTestNode.Api(node.port());
        // Its participant is never registered: every transaction parks at its first step, and ends when resolved.
        api.registerDefinition(DEFINITION, """
                {"steps": [{"name": "only", "participant": "ret-it-nobody", "action": "do", "kind": "pivot"}]}""");
    }

    @AfterAll
    static void stop() throws Exception {
        node.close();
    }

    @Test
    void resolvedTransactionsExpireHeldOnesStayUntilReleasedParkedOnesNever() throws Exception {
        String held = parked();
        String expiring = parked();
        String stillParked = parked();
        // A legal hold may come before the end (placed within the retention, it would race the expiry on a slow machine).
        act(held, "hold");
        api.awaitTransaction(held, Duration.ofSeconds(30), "held", tx -> tx.path("held").asBoolean());
        act(held, "resolve");
        assertThat(api.awaitStatus(held, Duration.ofSeconds(30), "RESOLVED").path("expiresAt").isNull()).isTrue();
        act(expiring, "resolve");
        JsonNode resolved = api.awaitStatus(expiring, Duration.ofSeconds(30), "RESOLVED");
        assertThat(resolved.path("expiresAt").asText()).isNotBlank();

        HttpResponse<String> gone = awaitGone(expiring);
        JsonNode problem = HttpTestClient.JSON.readTree(gone.body());
        assertThat(gone.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(problem.path("archived").asBoolean()).isTrue();
        assertThat(problem.path("expiredAt").asText()).isNotBlank();

        // The held one resolved before it, so its retention is over too; the parked one never had one.
        assertThat(api.transaction(held)).as("held past its retention").isNotNull();
        assertThat(api.transaction(stillParked).path("status").asText()).isEqualTo("PARKED");
        assertThat(listed("RESOLVED")).as("lists no longer show it").contains(held).doesNotContain(expiring);
        assertThat(count("RESOLVED")).as("counts no longer count it").isEqualTo(1);
        assertThat(archived()).as("the archive holds exactly the expired transactions").containsExactly(expiring);
        assertThat(api.metric("sagalog_transactions_expired_total",
                "{definition=\"" + DEFINITION + "\",status=\"RESOLVED\"}")).isEqualTo(1.0);

        act(held, "release");
        awaitGone(held);
        assertThat(archived()).containsExactlyInAnyOrder(expiring, held);
        assertThat(count("RESOLVED")).isZero();
        assertThat(api.transaction(stillParked).path("status").asText()).isEqualTo("PARKED");
    }

    private static String parked() throws Exception {
        String txId = api.submit(DEFINITION, "{}");
        api.awaitStatus(txId, Duration.ofSeconds(30), "PARKED");
        return txId;
    }

    private static void act(String txId, String action) throws Exception {
        HttpResponse<String> r = api.postJson(api.base + "/v1/transactions/" + txId + "/actions", "{\"actionId\":\""
                + UUID.randomUUID() + "\",\"action\":\"" + action + "\",\"reason\":\"retention test\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    }

    private static HttpResponse<String> awaitGone(String txId) {
        return Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> api.get("/v1/transactions/" + txId), r -> r.statusCode() == 410);
    }

    private static List<String> listed(String status) throws Exception {
        JsonNode page = HttpTestClient.JSON.readTree(api.get("/v1/transactions?definition=" + DEFINITION + "&status="
                + status + "&limit=100").body());
        List<String> ids = new ArrayList<>();
        page.path("items").forEach(i -> ids.add(i.path("txId").asText()));
        return ids;
    }

    private static long count(String status) throws Exception {
        JsonNode counts = HttpTestClient.JSON.readTree(api.get("/v1/transactions/counts").body());
        long n = 0;
        for (JsonNode c : counts.path("byDefinition")) {
            if (c.path("definition").asText().equals(DEFINITION) && c.path("status").asText().equals(status)) {
                n += c.path("count").asLong();
            }
        }
        return n;
    }

    private static List<String> archived() throws Exception {
        StringWriter out = new StringWriter();
        ArchiveExport.run(KafkaClients.of(KafkaFixture.bootstrapServers()), TopicNames.DEFAULT.archive(),
                new ArchiveExport.Filter(null, null, DEFINITION, null), out, (read, total, written) -> { });
        List<String> ids = new ArrayList<>();
        for (String line : out.toString().split("\n")) {
            if (!line.isBlank()) {
                JsonNode record = HttpTestClient.JSON.readTree(line);
                assertThat(record.path("status").asText()).isEqualTo("RESOLVED");
                assertThat(record.path("history").size()).isPositive();
                ids.add(record.path("txId").asText());
            }
        }
        return ids;
    }
}
