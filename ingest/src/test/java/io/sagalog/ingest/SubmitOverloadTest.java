package io.sagalog.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.DefinitionParser;
import io.sagalog.http.ControlLog;
import io.sagalog.http.Problem;
import io.sagalog.schemas.avro.ControlRecord;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Submits under overload (issue 11, items 7 and 12): refused while the engine lags beyond the bound and taken again
 * below it; answered in time with the truth about what was recorded when Kafka does not answer; bounded in flight.
 */
class SubmitOverloadTest {
    private static final String BODY = "{\"definition\":\"trip-booking\",\"input\":{}}";
    private final HttpClient http = HttpClient.newHttpClient();
    private Vertx vertx;
    private HttpServer server;

    @AfterEach
    void stop() {
        vertx.close();
    }

    private void start(ControlLog log, Admission admission, Duration requestTimeout) throws Exception {
        DefinitionCatalog catalog = DefinitionCatalog.of(List.of(DefinitionParser.parse("""
                {"name": "trip-booking", "steps": [{"name": "a", "participant": "p", "action": "do", "kind": "pivot"}]}""", 1)));
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        new IngestApi(vertx, log, () -> catalog, Clock.systemUTC(), null, null, admission, requestTimeout).mount(router);
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage()
                .toCompletableFuture().get();
    }

    private HttpResponse<String> submit() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + "/v1/transactions"))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void submitsAreRefusedWhileTheEngineLagsBeyondTheBoundAndTakenAgainBelowIt() throws Exception {
        AtomicLong lag = new AtomicLong(0);
        LagAdmission admission = new LagAdmission(lag::get, 1_000);
        start(acking(), admission, Duration.ofSeconds(10));

        admission.refresh();
        assertThat(submit().statusCode()).isEqualTo(202);

        lag.set(1_001);
        admission.refresh();
        HttpResponse<String> refused = submit();
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(refused.headers().firstValue("Content-Type")).contains(Problem.CONTENT_TYPE);
        assertThat(refused.body()).contains("overloaded").contains("1001 records behind").contains("nothing was recorded");

        lag.set(1_000);
        admission.refresh();
        assertThat(submit().statusCode()).isEqualTo(202);
    }

    @Test
    void aSubmitKafkaDoesNotAcknowledgeIsAnsweredInTimeAsOutcomeUnknownWithItsKey() throws Exception {
        start(log(record -> {
            PendingAppend sent = new PendingAppend();
            sent.handOver(); // with Kafka, never acknowledged
            return sent;
        }), Admission.always(), Duration.ofMillis(1500));
        long t0 = System.nanoTime();
        HttpResponse<String> r = submit();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1500));
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        String key = r.headers().firstValue("Idempotency-Key").orElseThrow();
        assertThat(r.body()).contains("outcome-unknown").contains("may or may not have been recorded").contains(key)
                .doesNotContain("nothing was recorded");
    }

    @Test
    void aSubmitStillQueuedAtItsDeadlineIsWithdrawnAndSaysNothingWasRecorded() throws Exception {
        AtomicReference<PendingAppend> queued = new AtomicReference<>();
        start(log(record -> {
            queued.set(new PendingAppend());
            return queued.get();
        }), Admission.always(), Duration.ofMillis(1500));
        HttpResponse<String> r = submit();
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("nothing was recorded");
        assertThat(queued.get().handOver()).as("a withdrawn append is never handed to Kafka").isFalse();
    }

    @Test
    void appendsBeyondTheInFlightBoundFailAtOnceAsNotRecorded() throws Exception {
        vertx = Vertx.vertx();
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        try (KafkaControlLog log = new KafkaControlLog("127.0.0.1:" + deadPort, Duration.ofSeconds(4), 2)) {
            Supplier<ControlRecord> record = () -> ControlRecord.newBuilder().setTxId("t").setAtMillis(0)
                    .setBody(io.sagalog.schemas.avro.TxRequested.newBuilder().setDefinition("d").setInput("{}").build())
                    .build();
            log.append(record.get());
            log.append(record.get());
            CompletableFuture<Void> third = log.append(record.get()).toCompletableFuture();
            assertThat(third).isCompletedExceptionally();
            assertThat(third.handle((ok, e) -> e).join()).isInstanceOf(NotRecordedException.class);
            assertThat(log.inFlight()).isEqualTo(2);
        }
    }

    @Test
    void whileKafkaIsUnreachableAppendsFailAtOnceButOneProbeASecondStillTriesKafka() throws Exception {
        vertx = Vertx.vertx();
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        Supplier<ControlRecord> record = () -> ControlRecord.newBuilder().setTxId("t").setAtMillis(0)
                .setBody(io.sagalog.schemas.avro.TxRequested.newBuilder().setDefinition("d").setInput("{}").build())
                .build();
        try (KafkaControlLog log = new KafkaControlLog("127.0.0.1:" + deadPort, Duration.ofMillis(2000), 100)) {
            Throwable first = log.append(record.get()).toCompletableFuture().handle((ok, e) -> e).join();
            assertThat(first).isInstanceOf(NotRecordedException.class).hasMessageContaining("metadata");
            long t0 = System.nanoTime();
            Throwable second = log.append(record.get()).toCompletableFuture().handle((ok, e) -> e).join();
            assertThat(second).isInstanceOf(NotRecordedException.class).hasMessageContaining("not answering");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(200));
            // Later appends probe Kafka again (and find it still unreachable), one a second.
            Throwable probe = org.awaitility.Awaitility.await("a probe reaches Kafka's metadata").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> log.append(record.get()).toCompletableFuture().handle((ok, e) -> e).join(),
                            e -> e != null && e.getMessage().contains("metadata"));
            assertThat(probe).isInstanceOf(NotRecordedException.class).hasMessageContaining("metadata");
        }
    }

    private static ControlLog acking() {
        return log(record -> CompletableFuture.completedFuture(null));
    }

    private static ControlLog log(java.util.function.Function<ControlRecord, CompletionStage<Void>> append) {
        return new ControlLog() {
            @Override
            public CompletionStage<Void> append(ControlRecord record) {
                return append.apply(record);
            }

            @Override
            public void close() {}
        };
    }
}
