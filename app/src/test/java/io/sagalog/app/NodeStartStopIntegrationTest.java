package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** While a node starts or stops, a submit is answered 503 with Retry-After (problem+json), never 404 or 405. */
class NodeStartStopIntegrationTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void submitsDuringStartAndStopAre503WithRetryAfterNever404Or405() throws Exception {
        int port = EmbeddedKafka.freePort();
        EngineConfig engine = EngineConfig.defaults(KafkaFixture.bootstrapServers(), Files.createTempDirectory("sagalog-gate-it"))
                .withApplicationId("it-gate-" + UUID.randomUUID())
                .withOverrides(Map.of(StreamsConfig.mainConsumerPrefix("auto.offset.reset"), "latest"));
        ConcurrentLinkedQueue<HttpResponse<String>> answers = new ConcurrentLinkedQueue<>();
        AtomicBoolean probing = new AtomicBoolean(true);
        CompletableFuture<Void> prober = CompletableFuture.runAsync(() -> {
            while (probing.get()) {
                try {
                    answers.add(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/transactions"))
                            .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"definition\":\"nope\",\"input\":{}}")).build(),
                            HttpResponse.BodyHandlers.ofString()));
                } catch (Exception e) {
                    // not listening yet, or closed: fine
                }
            }
        });
        SagalogNode node;
        try {
            node = SagalogNode.start(new SagalogNode.Options(engine, "127.0.0.1", port, 3, DefinitionCatalog.of(List.of())));
        } finally {
            probing.set(false);
            prober.join();
        }
        List<HttpResponse<String>> duringStart = List.copyOf(answers);
        answers.clear();

        probing.set(true);
        CompletableFuture<Void> prober2 = CompletableFuture.runAsync(() -> {
            while (probing.get()) {
                try {
                    answers.add(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/transactions"))
                            .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"definition\":\"nope\",\"input\":{}}")).build(),
                            HttpResponse.BodyHandlers.ofString()));
                } catch (Exception e) {
                    // closed: fine
                }
            }
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (answers.isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        node.close();
        probing.set(false);
        prober2.join();

        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        duringStart.forEach(r -> statuses.merge(r.statusCode(), 1, Integer::sum));
        assertThat(duringStart).as("answers while the node started: %s", statuses).isNotEmpty();
        for (HttpResponse<String> r : duringStart) {
            // 422: the routes are up and said the definition is unknown; everything before that must be a 503
            assertThat(r.statusCode()).as("answers while the node started: %s", statuses).isIn(503, 422);
            if (r.statusCode() == 503) {
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
                assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
            }
        }
        for (HttpResponse<String> r : answers) {
            assertThat(r.statusCode()).as("an answer while the node stopped").isIn(503, 422);
        }
    }
}
