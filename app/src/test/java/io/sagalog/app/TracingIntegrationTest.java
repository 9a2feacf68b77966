package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.sagalog.app.tracing.OtelSpans;
import io.sagalog.tracing.TraceParent;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Traces end to end on a real broker: a transaction submitted with a {@code traceparent} rolls back, and the SDK's
 * in-memory exporter holds its span tree (the transaction under the POST's span, every attempt and compensation under
 * the transaction, all in the POST's trace); the HTTP participant received each attempt's context; the journal and
 * control records carry it in their headers.
 */
@Tag("integration")
class TracingIntegrationTest {
    private static final Duration FINISH = Duration.ofSeconds(60);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String OK = "trit-ok-" + RUN;
    private static final String NO = "trit-no-" + RUN;
    /** A Java SDK worker: its handlers keep the trace context they were given, by txId and phase. */
    private static final String JAVA = "trit-java-" + RUN;
    private static final Map<String, io.sagalog.compensators.TraceContext> javaSaw = new ConcurrentHashMap<>();
    private static io.sagalog.compensators.ParticipantWorker worker;
    private static final String DEFINITION = "trit-trip-" + RUN;
    private static final AttributeKey<String> TX_ID = AttributeKey.stringKey("sagalog.tx_id");
    private static final AttributeKey<String> STEP = AttributeKey.stringKey("sagalog.step");
    private static final AttributeKey<String> PHASE = AttributeKey.stringKey("sagalog.phase");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("sagalog.outcome");
    private static final AttributeKey<String> RULE = AttributeKey.stringKey("sagalog.rule");
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("sagalog.attempt");

    private static final InMemorySpanExporter exported = InMemorySpanExporter.create();
    private static HttpTestNode sagalog;
    private static HttpServer participants;
    /** Every participant call: txId, step, phase and the traceparent header it came with. */
    private static final List<Map<String, String>> calls = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .setIdGenerator(OtelSpans.ids()).addSpanProcessor(SimpleSpanProcessor.create(exported)).build()).build();
        sagalog = HttpTestNode.start(new OtelSpans(sdk, sdk));
        // OK answers every call 200; NO refuses its action (409: a permanent failure, so the transaction rolls back).
        participants = sagalog.vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            JsonNode call;
            try {
                call = HttpTestClient.JSON.readTree(body.toString());
            } catch (java.io.IOException e) {
                request.response().setStatusCode(400).end();
                return;
            }
            Map<String, String> seen = new ConcurrentHashMap<>(Map.of("txId", call.path("txId").asText(),
                    "step", call.path("step").asText(), "phase", call.path("phase").asText(),
                    "attempt", call.path("attempt").asText()));
            Optional.ofNullable(request.getHeader("traceparent")).ifPresent(h -> seen.put("traceparent", h));
            calls.add(seen);
            boolean refuse = request.path().equals("/" + NO) && call.path("phase").asText().equals("action");
            request.response().setStatusCode(refuse ? 409 : 200).putHeader("Content-Type", "application/json")
                    .end(refuse ? "{\"reason\":\"sold out\"}" : "{\"ref\":\"" + call.path("step").asText() + "\"}");
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        String url = "http://127.0.0.1:" + participants.actualPort() + "/";
        sagalog.api.registerHttpParticipant(OK, url + OK, "5s", null);
        sagalog.api.registerHttpParticipant(NO, url + NO, "5s", null);
        worker = io.sagalog.compensators.ParticipantWorker.start(io.sagalog.compensators.Participant.named(JAVA)
                .action("do", call -> {
                    javaSaw.put(call.txId() + "/ACTION", call.traceContext());
                    return Map.of("ref", "hotel");
                })
                .compensation("undo", call -> javaSaw.put(call.txId() + "/COMPENSATION", call.traceContext()))
                .build(), KafkaFixture.bootstrapServers());
        Awaitility.await().atMost(Duration.ofSeconds(60)) // the worker registers itself
                .until(() -> sagalog.api.get("/v1/participants/" + JAVA).statusCode() == 200);
        sagalog.api.registerDefinition(DEFINITION, HttpParticipantsIntegrationTest.definition(DEFINITION,
                step("flights", OK), step("hotels", JAVA), step("payments", NO)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (worker != null) {
            worker.close();
        }
        if (participants != null) {
            participants.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (sagalog != null) {
            sagalog.close();
        }
    }

    @Test
    void aRollbackIsOneTraceUnderThePost() throws Exception {
        TraceParent post = TraceParent.newTrace(TraceParent.randomSpanId());
        String txId = submit(post.header());
        JsonNode tx = sagalog.api.awaitStatus(txId, FINISH, "ROLLED_BACK", "COMPLETED", "PARKED");
        assertThat(tx.path("status").asText()).isEqualTo("ROLLED_BACK");

        SpanData transaction = awaitTransactionSpan(txId);
        List<SpanData> spans = spansOf(txId);
        assertThat(spans).allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(post.traceId()));
        assertThat(transaction.getName()).isEqualTo("transaction " + DEFINITION);
        assertThat(transaction.getParentSpanId()).isEqualTo(post.spanId());
        assertThat(transaction.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(transaction.getAttributes().get(OUTCOME)).isEqualTo("ROLLED_BACK");
        assertThat(transaction.getAttributes().get(RULE)).isEqualTo("permanent-failure-before-pivot");

        // Attempts and compensations, each a child of the transaction span, in the order they happened.
        List<SpanData> children = spans.stream().filter(s -> s != transaction)
                .sorted(java.util.Comparator.comparingLong(SpanData::getStartEpochNanos)
                        .thenComparingLong(SpanData::getEndEpochNanos)).toList();
        assertThat(children).allSatisfy(s -> {
            assertThat(s.getParentSpanId()).isEqualTo(transaction.getSpanId());
            assertThat(s.getKind()).isEqualTo(SpanKind.CLIENT);
            assertThat(s.getAttributes().get(ATTEMPT)).isEqualTo(1L);
            assertThat(s.getStartEpochNanos()).isBetween(transaction.getStartEpochNanos(), s.getEndEpochNanos());
            assertThat(s.getEndEpochNanos()).isLessThanOrEqualTo(transaction.getEndEpochNanos());
        });
        assertThat(children).extracting(SpanData::getName).containsExactly("step flights", "step hotels",
                "step payments", "compensation hotels", "compensation flights");
        assertThat(children).extracting(s -> s.getAttributes().get(PHASE))
                .containsExactly("ACTION", "ACTION", "ACTION", "COMPENSATION", "COMPENSATION");
        SpanData failed = children.get(2);
        assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(failed.getAttributes().get(OUTCOME)).isEqualTo("FAILED_PERMANENT");
        assertThat(failed.getAttributes().get(RULE)).isEqualTo("permanent-failure-before-pivot");
        assertThat(List.of(children.get(0), children.get(1), children.get(3), children.get(4)))
                .allSatisfy(s -> assertThat(s.getAttributes().get(OUTCOME)).isEqualTo("SUCCEEDED"));

        // The participant got each attempt's own span as its parent, in the POST's trace.
        List<Map<String, String>> received = calls.stream().filter(c -> c.get("txId").equals(txId)).toList();
        assertThat(received).hasSize(3).allSatisfy(call -> {
            TraceParent header = TraceParent.parse(call.get("traceparent")).orElseThrow();
            assertThat(header.traceId()).isEqualTo(post.traceId());
            SpanData attempt = children.stream().filter(s -> s.getAttributes().get(STEP).equals(call.get("step"))
                    && s.getAttributes().get(PHASE).equalsIgnoreCase(call.get("phase"))).findFirst().orElseThrow();
            assertThat(header.spanId()).isEqualTo(attempt.getSpanId());
        });

        // So did the Java SDK's handlers: call.traceContext() is their attempt's span.
        for (int i : new int[] {1, 3}) { // step hotels, compensation hotels
            SpanData attempt = children.get(i);
            assertThat(javaSaw.get(txId + "/" + attempt.getAttributes().get(PHASE))).isEqualTo(
                    new io.sagalog.compensators.TraceContext(post.traceId(), attempt.getSpanId(), true));
        }

        // The records carry it too: the request with the POST's context, the journal with the transaction's.
        List<ConsumerRecord<String, byte[]>> journal = recordsOf("sagalog.journal", txId);
        assertThat(journal).isNotEmpty().allSatisfy(r -> assertThat(TraceParent.from(r.headers()).orElseThrow())
                .isEqualTo(post.withSpanId(transaction.getSpanId())));
        List<ConsumerRecord<String, byte[]>> control = recordsOf("sagalog.control", txId);
        assertThat(TraceParent.from(control.get(0).headers())).contains(post);
        assertThat(control).hasSizeGreaterThanOrEqualTo(6) // the request and five results (timers may add more)
                .filteredOn(r -> r.headers().lastHeader("traceparent") != null).hasSizeGreaterThanOrEqualTo(6);
    }

    @Test
    void withoutAUsableTraceparentTheTransactionStartsATraceOfItsOwn() throws Exception {
        for (String header : new String[] {null, "00-not-a-trace-01"}) {
            String txId = submit(header);
            sagalog.api.awaitStatus(txId, FINISH, "ROLLED_BACK", "COMPLETED", "PARKED");
            SpanData transaction = awaitTransactionSpan(txId);
            assertThat(transaction.getParentSpanContext().isValid()).as("a root span").isFalse();
            assertThat(spansOf(txId)).hasSize(6).allSatisfy(s -> assertThat(s.getTraceId())
                    .isEqualTo(transaction.getTraceId()));
            assertThat(calls.stream().filter(c -> c.get("txId").equals(txId)))
                    .allSatisfy(c -> assertThat(c.get("traceparent")).contains(transaction.getTraceId()));
        }
    }

    private static String step(String name, String participant) {
        return HttpParticipantsIntegrationTest.step(name, participant, "do", "undo", "5s",
                "{\"maxAttempts\":2,\"initialBackoff\":\"100ms\",\"maxBackoff\":\"1s\"}");
    }

    private static String submit(String traceparent) throws Exception {
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(sagalog.api.base + "/v1/transactions"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"definition\":\"" + DEFINITION + "\",\"input\":{}}"));
        if (traceparent != null) {
            post.header("traceparent", traceparent);
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(post.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return HttpTestClient.JSON.readTree(r.body()).path("txId").asText();
    }

    private static List<SpanData> spansOf(String txId) {
        return exported.getFinishedSpanItems().stream().filter(s -> txId.equals(s.getAttributes().get(TX_ID))).toList();
    }

    private static SpanData awaitTransactionSpan(String txId) {
        return Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> spansOf(txId).stream()
                .filter(s -> s.getName().startsWith("transaction ")).findFirst(), Optional::isPresent).orElseThrow();
    }

    /** The records of the topic whose key is {@code txId}, in order: the topic read from its start to its end. */
    private static List<ConsumerRecord<String, byte[]>> recordsOf(String topic, String txId) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaFixture.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (txId.equals(r.key())) {
                        found.add(r);
                    }
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
            return found;
        }
    }
}
