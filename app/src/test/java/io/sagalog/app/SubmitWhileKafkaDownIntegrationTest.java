package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.DefinitionParser;
import io.sagalog.engine.EngineConfig;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Submitting while the broker is down (issue 11, item 7), against a broker of its own that the test stops and
 * starts again: every one of 300 parallel submits is answered 503 with Retry-After within 11 s, the heap stays
 * about flat, and submits succeed again once the broker is back.
 */
class SubmitWhileKafkaDownIntegrationTest {
    private static final String BODY = "{\"definition\":\"down-noop\",\"input\":{}}";

    @Test
    void parallelSubmitsAreAnswered503QuicklyWhileKafkaIsDownAndAcceptedOnceItIsBack() throws Exception {
        Path kafkaDir = Files.createTempDirectory("sagalog-down-kafka");
        int kafkaPort = EmbeddedKafka.freePort();
        EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, kafkaPort, Map.of());
        DefinitionCatalog catalog = DefinitionCatalog.of(List.of(DefinitionParser.parse("""
                {"name": "down-noop", "steps": [{"name": "only", "participant": "down-nobody", "action": "do", "kind": "pivot"}]}""", 1)));
        EngineConfig engine = EngineConfig.defaults(kafka.bootstrapServers(), Files.createTempDirectory("sagalog-down-it"))
                .withApplicationId("it-down-" + UUID.randomUUID());
        SagalogNode node = SagalogNode.start(new SagalogNode.Options(engine, "127.0.0.1", 0, 3, catalog));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI submit = URI.create("http://127.0.0.1:" + node.port() + "/v1/transactions");
        try {
            kafka.close();
            long heapBefore = usedHeapAfterGc();

            List<CompletableFuture<long[]>> answers = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                long sent = System.nanoTime();
                answers.add(http.sendAsync(HttpRequest.newBuilder(submit).timeout(Duration.ofSeconds(60))
                                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(BODY)).build(),
                        HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
                            long tookMs = (System.nanoTime() - sent) / 1_000_000;
                            boolean retryAfter = r.headers().firstValue("Retry-After").isPresent();
                            boolean problem = r.headers().firstValue("Content-Type").orElse("").equals("application/problem+json");
                            return new long[] {r.statusCode(), tookMs, retryAfter && problem ? 1 : 0};
                        }));
            }
            long slowest = 0;
            for (CompletableFuture<long[]> a : answers) {
                long[] r = a.join();
                assertThat(r[0]).as("status of a submit while Kafka is down").isEqualTo(503);
                assertThat(r[2]).as("Retry-After and problem+json").isEqualTo(1);
                slowest = Math.max(slowest, r[1]);
            }
            assertThat(slowest).as("ms until the slowest of 300 parallel submits was answered").isLessThanOrEqualTo(11_000);
            long heapAfter = usedHeapAfterGc();
            assertThat(heapAfter - heapBefore).as("heap growth in bytes").isLessThan(64L * 1024 * 1024);

            kafka = EmbeddedKafka.start(kafkaDir, kafkaPort, Map.of());
            int status = org.awaitility.Awaitility.await("a submit once the broker is back").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> http.send(HttpRequest.newBuilder(submit).timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(BODY))
                            .build(), HttpResponse.BodyHandlers.ofString()).statusCode(), s -> s == 202);
            assertThat(status).as("a submit once the broker is back").isEqualTo(202);
        } finally {
            node.close();
            kafka.close();
        }
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
