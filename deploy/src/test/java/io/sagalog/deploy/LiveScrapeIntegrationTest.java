package io.sagalog.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.sagalog.app.EmbeddedKafka;
import io.sagalog.app.HttpLimits;
import io.sagalog.app.IngestNode;
import io.sagalog.app.SagalogNode;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.sagalog.engine.TransactionQueries.Endpoint;
import io.sagalog.schemas.KafkaClients;
import io.sagalog.schemas.TopicNames;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real engine node and a real ingest front end on an embedded broker, after transactions that complete, roll back
 * and park: every metric the dashboard and the alert rules query is in their {@code /metrics}, promtool accepts the
 * scrape, and every probe the chart renders answers 200 on the node it belongs to.
 */
@Tag("integration")
class LiveScrapeIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Metric names in PromQL: every one this project queries starts with one of these. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:sagalog|jvm|process|system)_[a-zA-Z0-9_]+)(\\{[^}]*})?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!=|!~|=)");
    /** Labels Prometheus adds from the target, not in the scrape. */
    private static final Set<String> TARGET_LABELS = Set.of("namespace", "pod");
    private static final HttpClient http = HttpClient.newHttpClient();
    /** Micrometer's ProcessorMetrics names, which promtool's lint flags (an abbreviated unit, a _count gauge). */
    private static final List<String> MICROMETER_PROCESSOR_METRICS = List.of("process_cpu_time_ns_total ",
            "system_cpu_count ");
    /** Kafka's own client and Streams metrics (Micrometer's Kafka binders), named by Kafka: _ns units and the like. */
    private static final String KAFKA_METRICS = "kafka_";

    private static EmbeddedKafka kafka;
    private static SagalogNode engine;
    private static IngestNode front;
    private static Vertx vertx;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("sagalog-live-scrape");
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
        engine = SagalogNode.start(new SagalogNode.Options(EngineConfig.defaults(kafka.bootstrapServers(),
                dir.resolve("engine")), "127.0.0.1", 0, 3, DefinitionCatalog.of(List.of())));
        front = IngestNode.start(new IngestNode.Options(KafkaClients.of(kafka.bootstrapServers()), TopicNames.DEFAULT,
                "127.0.0.1", 0, List.of(new Endpoint("127.0.0.1", engine.port())), null, HttpLimits.defaults(), null));
        vertx = Vertx.vertx();
        // One participant server: /ok does it, /no refuses (409: a permanent failure), /down is unavailable (503).
        HttpServer participant = vertx.createHttpServer().requestHandler(req -> {
            int status = req.path().equals("/no") ? 409 : req.path().equals("/down") ? 503 : 200;
            req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end("{}");
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        for (String p : List.of("ok", "no", "down")) {
            send("PUT", "/v1/participants/live-" + p, new JsonObject().put("transport", "http")
                    .put("url", "http://127.0.0.1:" + participant.actualPort() + "/" + p).put("timeout", "5s").encode(), 200);
        }
        define("live-completes", step("reserve", "ok", "compensatable"), step("charge", "ok", "pivot"));
        define("live-rolls-back", step("reserve", "ok", "compensatable"), step("charge", "no", "compensatable"));
        define("live-parks", step("charge", "ok", "pivot"), step("notify", "down", "retriable"));
        String parked = null;
        for (var expected : Map.of("live-completes", "COMPLETED", "live-rolls-back", "ROLLED_BACK", "live-parks", "PARKED").entrySet()) {
            String body = new JsonObject().put("definition", expected.getKey()).put("input", new JsonObject()).encode();
            // Through the front end, which learns new definitions from the registry topic: retried while unknown.
            JsonNode tx = Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                HttpResponse<String> r = request("POST", "/v1/transactions?wait=25s", body, front.port());
                return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
            }, t -> t != null && !t.path("status").asText().equals("RUNNING") && !t.path("status").asText().equals("COMPENSATING"));
            assertThat(tx.path("status").asText()).as(expected.getKey()).isEqualTo(expected.getValue());
            parked = expected.getValue().equals("PARKED") ? tx.path("txId").asText() : parked;
        }
        // An operator closes the parked one by hand (relayed by the front end): resolutions and actions are counted.
        HttpResponse<String> resolved = request("POST", "/v1/transactions/" + parked + "/actions",
                "{\"action\":\"resolve\",\"reason\":\"refunded by hand\"}", front.port());
        assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(202);
    }

    @AfterAll
    static void stop() throws Exception {
        if (engine != null && front != null) {
            // Kept for a diff of the metric names before and after a change (nothing may disappear).
            Files.writeString(Path.of("target", "live-scrape-engine.txt"), request("GET", "/metrics", null, engine.port()).body());
            Files.writeString(Path.of("target", "live-scrape-front.txt"), request("GET", "/metrics", null, front.port()).body());
        }
        for (AutoCloseable c : new AutoCloseable[] {front, engine, kafka}) {
            if (c != null) {
                c.close();
            }
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldExportEveryMetricTheDashboardQueries() throws Exception {
        JsonNode dashboard = JSON.readTree(Path.of("grafana", "sagalog.json").toFile());
        StringBuilder queries = new StringBuilder();
        dashboard.findValues("expr").forEach(e -> queries.append(e.asText()).append('\n'));
        dashboard.findValues("query").forEach(q -> queries.append(q.asText()).append('\n'));
        assertQueriedMetricsExported("the dashboard", queries.toString());
    }

    @Test
    void shouldExportEveryMetricTheAlertRulesQuery() throws Exception {
        StringBuilder queries = new StringBuilder();
        for (String line : Files.readAllLines(Path.of("prometheus", "sagalog-rules.yaml"))) {
            if (line.strip().startsWith("expr:")) {
                queries.append(line).append('\n');
            }
        }
        assertQueriedMetricsExported("the alert rules", queries.toString());
    }

    @Test
    void shouldPassPromtoolCheckMetricsOnBothScrapes() throws Exception {
        for (int port : List.of(engine.port(), front.port())) {
            String scrape = request("GET", "/metrics", null, port).body();
            Promtool.Result check = Promtool.run(Path.of("."), scrape, "check", "metrics");
            // 0: clean; 3: lint findings only (1 would be a scrape Prometheus cannot parse). The only findings
            // allowed are on Micrometer's processor metrics and Kafka's metrics, whose names Sagalog does not choose.
            assertThat(check.exitCode()).as("promtool check metrics on :" + port + "\n" + check.output()).isIn(0, 3);
            assertThat(check.output().lines().filter(l -> !l.isBlank())).as("promtool findings on :" + port)
                    .allMatch(l -> l.startsWith(KAFKA_METRICS) || MICROMETER_PROCESSOR_METRICS.stream().anyMatch(l::startsWith));
        }
    }

    @Test
    void shouldAnswerEveryProbeTheChartRenders() throws Exception {
        RenderedChart chart = RenderedChart.render();
        List<HasMetadata> workloads = List.of(chart.engine(), chart.ingest().orElseThrow());
        for (HasMetadata workload : workloads) {
            Container c = RenderedChart.pod(workload).getContainers().get(0);
            int port = c.getName().equals("engine") ? engine.port() : front.port();
            for (Probe p : List.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe())) {
                String path = p.getHttpGet().getPath();
                Awaitility.await(c.getName() + " " + path).atMost(Duration.ofSeconds(30))
                        .until(() -> request("GET", path, null, port).statusCode() == 200);
            }
        }
    }

    /** Every metric (and label it matches on) in {@code promql} is in the engine's or the front end's scrape. */
    private static void assertQueriedMetricsExported(String what, String promql) throws Exception {
        Map<String, Set<String>> queried = new HashMap<>();
        Matcher m = METRIC.matcher(promql);
        while (m.find()) {
            Set<String> labels = queried.computeIfAbsent(m.group(1), n -> new TreeSet<>());
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    if (!TARGET_LABELS.contains(l.group(1))) {
                        labels.add(l.group(1));
                    }
                }
            }
        }
        assertThat(queried).as(what + " queries metrics").hasSizeGreaterThan(5);
        // Some series appear with the first event of their kind (a delivery delay is measured once a second).
        Map<String, Set<String>> exported = Awaitility.await(what + ": every queried metric exported")
                .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(LiveScrapeIntegrationTest::exported, e -> e.keySet().containsAll(queried.keySet()));
        queried.forEach((name, labels) -> assertThat(exported.get(name)).as(what + ": labels of " + name).containsAll(labels));
    }

    /** Sample names (a histogram's _bucket etc. each) and the label names seen on each, from both scrapes. */
    private static Map<String, Set<String>> exported() throws Exception {
        Map<String, Set<String>> names = new HashMap<>();
        for (int port : List.of(engine.port(), front.port())) {
            for (String line : request("GET", "/metrics", null, port).body().split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int brace = line.indexOf('{');
                int space = line.indexOf(' ');
                String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
                Set<String> labels = names.computeIfAbsent(name, n -> new HashSet<>());
                if (brace >= 0 && brace < space) {
                    Matcher l = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"").matcher(line.substring(brace, line.lastIndexOf('}')));
                    while (l.find()) {
                        labels.add(l.group(1));
                    }
                }
            }
        }
        return names;
    }

    private static String step(String name, String participant, String kind) {
        JsonObject step = new JsonObject().put("name", name).put("participant", "live-" + participant).put("action", "do")
                .put("kind", kind).put("timeout", "5s")
                .put("retry", new JsonObject().put("maxAttempts", 2).put("initialBackoff", "100ms").put("maxBackoff", "200ms"));
        if (kind.equals("compensatable")) {
            step.put("compensation", "undo");
        }
        return step.encode();
    }

    private static void define(String name, String... steps) throws Exception {
        send("PUT", "/v1/definitions/" + name, "{\"name\":\"" + name + "\",\"deadline\":\"2m\",\"steps\":["
                + String.join(",", steps) + "]}", 201);
    }

    private static void send(String method, String path, String json, int expected) throws Exception {
        HttpResponse<String> r = request(method, path, json, engine.port());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(expected);
    }

    private static HttpResponse<String> request(String method, String path, String json, int port) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(40))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
