package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagalog.app.FakeHttpParticipant.Call;
import io.sagalog.app.FakeHttpParticipant.Reply;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.sagalog.http.auth.Tokens;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code sagalog ingest} as an operator runs it (a JVM of its own, from this classpath) in front of one engine node
 * on a real broker: submits, {@code ?wait}, a step-result callback, reads, lists and an operator action all go
 * through the front end, and the front end runs no Kafka Streams thread, loads no RocksDB and writes no state.
 */
@Tag("integration")
class IngestFrontIntegrationTest {
    private static final Duration FINISH = Duration.ofSeconds(60);
    private static final Pattern READY = Pattern.compile("^sagalog ingest ready http=([^:\\s]+):(\\d+) .*");
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String SUBMITTER = "submitter-token-" + RUN;
    private static final String OPERATOR = "operator-token-" + RUN;
    private static final String VIEWER = "viewer-token-" + RUN;
    private static final String FAST_RETRY = "{\"maxAttempts\":2,\"initialBackoff\":\"100ms\",\"maxBackoff\":\"200ms\"}";

    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static SagalogNode engine;
    private static Vertx vertx;
    private static FakeHttpParticipant participants;
    private static Process front;
    private static Path frontDir;
    private static String frontUrl;
    private static final AtomicBoolean mailDown = new AtomicBoolean();

    @BeforeAll
    static void start() throws Exception {
        String bootstrap = KafkaFixture.bootstrapServers();
        List<String> tokenLines = List.of(SUBMITTER + " submitter", OPERATOR + " operator,viewer", VIEWER + " viewer");
        EngineConfig config = EngineConfig.defaults(bootstrap, Files.createTempDirectory("sagalog-ingest-it"))
                .withApplicationId("it-ingest-" + RUN)
                .withOverrides(Map.of(StreamsConfig.mainConsumerPrefix("auto.offset.reset"), "latest"));
        engine = SagalogNode.start(new SagalogNode.Options(config, "127.0.0.1", 0, 3, DefinitionCatalog.of(List.of()),
                Tokens.parse(tokenLines, "test tokens")));
        vertx = Vertx.vertx();
        participants = FakeHttpParticipant.start(vertx);
        participants.behave("mail-" + RUN, call -> mailDown.get() && call.isAction()
                ? Reply.status(503, "{\"reason\":\"mail server down\"}") : FakeHttpParticipant.SUCCEED.apply(call));
        participants.behave("later-" + RUN, call -> call.isAction() ? Reply.status(202, "{\"accepted\":true}")
                : FakeHttpParticipant.SUCCEED.apply(call));

        frontDir = Files.createTempDirectory("sagalog-ingest-front");
        Path logs = Files.createTempDirectory("sagalog-ingest-logs");
        Path tokens = logs.resolve("tokens");
        Files.write(tokens, tokenLines);
        Path logback = logs.resolve("logback.xml");
        Files.writeString(logback, """
                <configuration>
                  <appender name="ERR" class="ch.qos.logback.core.ConsoleAppender">
                    <target>System.err</target>
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
                  </appender>
                  <root level="WARN"><appender-ref ref="ERR"/></root>
                </configuration>
                """);
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
                "-XX:+UseSerialGC", "-Dlogback.configurationFile=" + logback, "-cp", EngineProcess.currentClasspath(),
                SagalogCli.class.getName(), "ingest", "--bootstrap=" + bootstrap, "--host=127.0.0.1", "--port=0",
                "--engine-url=http://127.0.0.1:" + engine.port(), "--tokens=" + tokens);
        // Started in an empty directory of its own: whatever it wrote would show there.
        front = new ProcessBuilder(cmd).directory(frontDir.toFile())
                .redirectError(logs.resolve("front-stderr.log").toFile()).start();
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(front.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    Matcher m = READY.matcher(line);
                    if (m.matches()) {
                        return "http://127.0.0.1:" + m.group(2);
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            throw new IllegalStateException("sagalog ingest ended without its ready line; see " + logs);
        });
        frontUrl = ready.get(90, TimeUnit.SECONDS);

        // Registered through the front end: relayed to the engine, which checks the operator token.
        for (String p : List.of("hotels-" + RUN, "mail-" + RUN, "later-" + RUN)) {
            assertThat(send("PUT", "/v1/participants/" + p, OPERATOR, "{\"transport\":\"http\",\"url\":\""
                    + participants.url(p) + "\",\"timeout\":\"5s\"}").statusCode()).isEqualTo(200);
        }
        register("trip-" + RUN, step("reserve", "hotels-" + RUN, "compensatable", "5s", FAST_RETRY) + ","
                + step("charge", "hotels-" + RUN, "pivot", "5s", FAST_RETRY) + ","
                + step("notify", "mail-" + RUN, "retriable", "2s", FAST_RETRY));
        register("async-" + RUN, step("later", "later-" + RUN, "compensatable", "30s", FAST_RETRY));
    }

    @AfterAll
    static void stop() throws Exception {
        if (front != null) {
            front.destroy();
            if (!front.waitFor(30, TimeUnit.SECONDS)) {
                front.destroyForcibly();
            }
        }
        if (participants != null) {
            participants.close();
        }
        if (engine != null) {
            engine.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldTakeSubmitsAndWaitThroughTheFrontEnd() throws Exception {
        HttpResponse<String> waited = submit("trip-" + RUN, "?wait=30s", SUBMITTER);
        assertThat(waited.statusCode()).as(waited.body()).isEqualTo(200);
        JsonNode tx = HttpTestClient.JSON.readTree(waited.body());
        assertThat(tx.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(tx.path("steps").size()).isEqualTo(3);

        HttpResponse<String> plain = submit("trip-" + RUN, "", SUBMITTER);
        assertThat(plain.statusCode()).as(plain.body()).isEqualTo(202);
        String txId = HttpTestClient.JSON.readTree(plain.body()).path("txId").asText();
        assertThat(awaitStatus(txId, "COMPLETED")).isEqualTo("COMPLETED");

        // The front checks tokens on what it answers itself; the engine on what it relays.
        assertThat(submit("trip-" + RUN, "", VIEWER).statusCode()).isEqualTo(403);
        assertThat(send("GET", "/v1/transactions/" + txId, null, null).statusCode()).isEqualTo(401);
        HttpResponse<String> unknown = send("GET", "/v1/no-such-route", VIEWER, null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void shouldRelayAStepResultCallbackToTheEngine() throws Exception {
        HttpResponse<String> submitted = submit("async-" + RUN, "", SUBMITTER);
        String txId = HttpTestClient.JSON.readTree(submitted.body()).path("txId").asText();
        Call call = await("the async participant is called").atMost(FINISH).pollInterval(Duration.ofMillis(50))
                .until(() -> participants.calls(txId).stream().findFirst(), java.util.Optional::isPresent).orElseThrow();
        // The callback goes to the front end instead of the engine's own callback URL.
        HttpResponse<String> result = send("POST", "/v1/step-results", null, "{\"token\":\"" + call.callbackToken()
                + "\",\"outcome\":\"succeeded\",\"output\":{\"ref\":\"L-1\"}}");
        assertThat(result.statusCode()).as(result.body()).isEqualTo(202);
        assertThat(awaitStatus(txId, "COMPLETED")).isEqualTo("COMPLETED");
        assertThat(send("POST", "/v1/step-results", null, "{\"token\":\"" + call.callbackToken()
                + "\",\"outcome\":\"succeeded\"}").statusCode()).as("a token works once").isEqualTo(409);
    }

    @Test
    void shouldRelayListsCountsAndOperatorActions() throws Exception {
        mailDown.set(true);
        String txId = HttpTestClient.JSON.readTree(submit("trip-" + RUN, "", SUBMITTER).body()).path("txId").asText();
        assertThat(awaitStatus(txId, "PARKED")).isEqualTo("PARKED");
        JsonNode parked = HttpTestClient.JSON.readTree(send("GET", "/v1/transactions?status=PARKED&definition=trip-"
                + RUN, VIEWER, null).body());
        assertThat(parked.path("items").findValuesAsText("txId")).contains(txId);
        HttpResponse<String> counts = send("GET", "/v1/transactions/counts", VIEWER, null);
        assertThat(counts.statusCode()).as(counts.body()).isEqualTo(200);

        mailDown.set(false);
        HttpResponse<String> resumed = send("POST", "/v1/transactions/" + txId + "/actions", OPERATOR,
                "{\"action\":\"resume\",\"reason\":\"mail server fixed\"}");
        assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(202);
        assertThat(awaitStatus(txId, "COMPLETED")).isEqualTo("COMPLETED");
        HttpResponse<String> again = send("POST", "/v1/transactions/" + txId + "/actions", OPERATOR,
                "{\"action\":\"resume\",\"reason\":\"again\"}");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void shouldRunNoStreamsThreadLoadNoRocksDbAndWriteNoState() throws Exception {
        assertThat(send("GET", "/health/ready", null, null).statusCode()).isEqualTo(200);
        String metrics = send("GET", "/metrics", null, null).body();
        assertThat(metrics).contains("jvm_memory_used_bytes").doesNotContain("sagalog_engine_running");

        String threads = run("jcmd", Long.toString(front.pid()), "Thread.print");
        assertThat(threads).as("the front end's thread dump").contains("vert.x-eventloop-thread")
                .doesNotContain("StreamThread");
        // Positive control: the engine in this JVM has Streams threads and RocksDB loaded, as the checks would see.
        assertThat(Thread.getAllStackTraces().keySet()).anyMatch(t -> t.getName().contains("StreamThread"));
        assertThat(Files.readString(Path.of("/proc/self/maps"))).contains("rocksdbjni");
        assertThat(Files.readString(Path.of("/proc/" + front.pid() + "/maps"))).doesNotContain("rocksdbjni");
        try (var written = Files.list(frontDir)) {
            assertThat(written.toList()).as("files the front end wrote in its working directory").isEmpty();
        }
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static String step(String name, String participant, String kind, String timeout, String retry) {
        return "{\"name\":\"" + name + "\",\"participant\":\"" + participant + "\",\"action\":\"do\""
                + (kind.equals("compensatable") ? ",\"compensation\":\"undo\"" : "") + ",\"kind\":\"" + kind
                + "\",\"timeout\":\"" + timeout + "\",\"retry\":" + retry + "}";
    }

    private static void register(String name, String steps) throws Exception {
        HttpResponse<String> r = send("PUT", "/v1/definitions/" + name, OPERATOR,
                "{\"name\":\"" + name + "\",\"deadline\":\"2m\",\"steps\":[" + steps + "]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    /** POST /v1/transactions through the front; its registry learns a new definition from the topic, so 422 is retried. */
    private static HttpResponse<String> submit(String definition, String query, String token) throws Exception {
        List<HttpResponse<String>> last = new ArrayList<>();
        await("the front end knows " + definition).atMost(FINISH).pollInterval(Duration.ofMillis(100)).until(() -> {
            HttpResponse<String> r = send("POST", "/v1/transactions" + query, token,
                    "{\"definition\":\"" + definition + "\",\"input\":{}}");
            last.add(0, r);
            return r.statusCode() != 422;
        });
        return last.get(0);
    }

    private static String awaitStatus(String txId, String wanted) {
        return await(txId + " " + wanted).atMost(FINISH).pollInterval(Duration.ofMillis(100)).until(() -> {
            HttpResponse<String> r = send("GET", "/v1/transactions/" + txId, VIEWER, null);
            return r.statusCode() == 200 ? HttpTestClient.JSON.readTree(r.body()).path("status").asText() : "";
        }, wanted::equals);
    }

    private static HttpResponse<String> send(String method, String path, String token, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(frontUrl + path)).timeout(Duration.ofSeconds(45))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
