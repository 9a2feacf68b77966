package io.sagalog.app;

import static io.sagalog.app.HttpParticipantsIntegrationTest.definition;
import static io.sagalog.app.HttpParticipantsIntegrationTest.step;
import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A broker restart under load, on a broker of this test's own: while it is away {@code /health/ready} is 503 and
 * says so; once it is back every loop works again by itself (no restart of the node), and every transaction that was
 * accepted completes.
 */
class BrokerRestartIntegrationTest {
    private static final Duration RECOVER = Duration.ofSeconds(180);
    private static final String FAST_RETRY = "{\"maxAttempts\":10,\"initialBackoff\":\"200ms\",\"maxBackoff\":\"2s\"}";

    @Test
    void shouldRecoverEveryLoopAfterABrokerRestartUnderLoad() throws Exception {
        Path brokerDir = Files.createTempDirectory("sagalog-broker-restart");
        int port = EmbeddedKafka.freePort();
        EmbeddedKafka broker = EmbeddedKafka.start(brokerDir, port, Map.of());
        Vertx vertx = Vertx.vertx();
        SagalogNode node = null;
        AtomicBoolean loading = new AtomicBoolean(true);
        CompletableFuture<Void> load = null;
        try {
            EngineConfig engine = EngineConfig.defaults(broker.bootstrapServers(), Files.createTempDirectory("sagalog-br-it"))
                    .withApplicationId("it-broker-restart-" + UUID.randomUUID());
            node = SagalogNode.start(new SagalogNode.Options(engine, "127.0.0.1", 0, 3, DefinitionCatalog.of(List.of())));
            HttpTestNode.Api api = new HttpTestNode.Api(node.port());
            FakeHttpParticipant participants = FakeHttpParticipant.start(vertx);
            participants.behave("br-p", FakeHttpParticipant.SUCCEED);
            api.registerHttpParticipant("br-p", participants.url("br-p"), "5s", null);
            api.registerDefinition("br", definition("br", step("one", "br-p", "reserve", "cancel", "5s", FAST_RETRY)));

            List<String> accepted = new CopyOnWriteArrayList<>();
            AtomicInteger refused = new AtomicInteger();
            load = CompletableFuture.runAsync(() -> {
                while (loading.get()) {
                    try {
                        HttpResponse<String> r = api.client.submit("{\"definition\":\"br\",\"input\":{}}");
                        if (r.statusCode() == 202) {
                            accepted.add(HttpTestClient.JSON.readTree(r.body()).path("txId").asText());
                        } else {
                            refused.incrementAndGet();
                        }
                        // The pace of the load, not a condition.
                        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
                        if (Thread.currentThread().isInterrupted()) {
                            throw new InterruptedException();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (Exception e) {
                        refused.incrementAndGet(); // a request that timed out while the broker was away
                    }
                }
            });
            awaitTrue("load running", () -> accepted.size() >= 20);

            broker.close();
            broker = null;
            HttpResponse<String> down = awaitReady(api, "broker shown down", r -> r.statusCode() == 503);
            assertThat(down.body()).contains("\"down\"").contains("broker");
            awaitTrue("submissions refused while the broker is away", () -> refused.get() >= 3);

            broker = EmbeddedKafka.start(brokerDir, port, Map.of());
            HttpResponse<String> ready = awaitReady(api, "ready again", r -> r.statusCode() == 200);
            assertThat(ready.body()).contains("\"registry\":\"UP\"", "\"journal-follower\":\"UP\"",
                    "\"dispatcher\":\"UP\"");
            int before = accepted.size();
            awaitTrue("load accepted again", () -> accepted.size() >= before + 20);
            loading.set(false);
            load.get(30, TimeUnit.SECONDS);

            for (String txId : accepted) {
                api.awaitStatus(txId, RECOVER, "COMPLETED");
            }
            // The registry reader follows again: a PUT answers once read back. The journal follower wakes waits.
            api.registerDefinition("br", definition("br", step("one", "br-p", "reserve", "cancel", "4s", FAST_RETRY)));
            HttpResponse<String> waited = api.client.post("/v1/transactions?wait=20s", "application/json",
                    "{\"definition\":\"br\",\"input\":{}}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(waited.body()).contains("\"status\":\"COMPLETED\"");
            participants.close();
        } finally {
            loading.set(false);
            if (node != null) {
                node.close();
            }
            if (broker != null) {
                broker.close();
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> awaitReady(HttpTestNode.Api api, String what,
                                                   java.util.function.Predicate<HttpResponse<String>> condition)
            throws Exception {
        return org.awaitility.Awaitility.await(what).atMost(RECOVER).pollInterval(Duration.ofMillis(50))
                .until(() -> api.get("/health/ready"), condition::test);
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws Exception {
        org.awaitility.Awaitility.await(what).atMost(RECOVER).pollInterval(Duration.ofMillis(20)).until(condition::getAsBoolean);
    }
}
