package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagalog.app.cluster.EngineInstance;
import io.sagalog.http.auth.Role;
import io.sagalog.http.auth.Tokens;
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
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code sagalog dev --brokers 3 --engines 2} as a person runs it: the built jar ({@code app/target/sagalog.jar},
 * made by {@code package} before the integration tests run) in a process of its own, which starts three broker and two
 * engine processes. It must list every process with its role, pid, ports and data directory, complete a demo
 * transaction, and leave no process behind when stopped (SIGTERM, as Ctrl-C). The same three brokers also show the
 * start check of issue 12 on a real multi-broker cluster: a topic with fewer copies than asked is a WARN line in the
 * engine's log and YELLOW with the reason in {@code /health/cluster}.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevClusterIntegrationTest {
    private static final Path JAR = Path.of("target", "sagalog.jar");
    /** role, name, pid, ports, data dir: e.g. {@code   engine  engine-1  12345  http 41234  /tmp/.../engine-1}. */
    private static final Pattern PROCESS = Pattern.compile(
            "^\\s+(broker|engine)\\s+((?:broker|engine)-\\d)\\s+(\\d+)\\s+(kafka \\d+, controller \\d+|http (\\d+))\\s+(/\\S+)\\s*$");

    private static Process dev;
    private static Path dir;
    private static Tokens tokens;
    private static final List<String> output = new CopyOnWriteArrayList<>();
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        assertThat(JAR).as("the runnable jar: run the integration tests with mvn verify, which packages it first").exists();
        dir = Files.createTempDirectory("sagalog-dev-cluster-it");
        tokens = Tokens.generate();
        Path tokensFile = dir.resolve("tokens");
        PrivateFiles.create(tokensFile, tokens.toFileText());
        dev = new ProcessBuilder(io.sagalog.app.cluster.ChildProcess.java(), "-jar", JAR.toAbsolutePath().toString(), "dev", "--brokers", "3",
                "--engines", "2", "--port", "0", "--data-dir", dir.resolve("data").toString(), "--tokens", tokensFile.toString())
                .redirectErrorStream(true).start();
        Thread pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(dev.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.add(line);
                    System.out.println("sagalog dev: " + line);
                }
            } catch (java.io.IOException e) {
                // the process is gone
            }
        }, "sagalog-dev-output");
        pump.setDaemon(true);
        pump.start();
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
                .failFast("sagalog dev exited", () -> !dev.isAlive())
                .until(() -> output.stream().anyMatch(l -> l.startsWith("Press Ctrl-C to stop every process")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (dev != null && dev.isAlive()) {
            dev.descendants().forEach(ProcessHandle::destroyForcibly);
            dev.destroyForcibly();
        }
    }

    /** The processes it printed: role, name, pid, HTTP port (engines) and data directory. */
    private record Listed(String role, String name, long pid, int httpPort, Path dataDir) {}

    private static List<Listed> listed() {
        List<Listed> all = new ArrayList<>();
        for (String line : output) {
            Matcher m = PROCESS.matcher(line);
            if (m.matches()) {
                all.add(new Listed(m.group(1), m.group(2), Long.parseLong(m.group(3)),
                        m.group(5) == null ? -1 : Integer.parseInt(m.group(5)), Path.of(m.group(6))));
            }
        }
        return all;
    }

    private static String bootstrap() {
        return output.stream().filter(l -> l.trim().startsWith("Kafka bootstrap")).findFirst().orElseThrow()
                .trim().substring("Kafka bootstrap".length()).trim();
    }

    /**
     * A deployment of its own on the dev cluster's brokers ({@code --topic-prefix short.}) whose control topic exists
     * with 2 copies where 3 are asked (the default on 3 brokers): the engine starts and serves, and says so.
     */
    @Test
    @Order(1)
    void shouldReportATopicWithFewerCopiesThanAskedInTheLogAndAsYellowInHealthCluster() throws Exception {
        String bootstrap = bootstrap();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic("short.control", 3, (short) 2))).all().get(60, TimeUnit.SECONDS);
        }
        Path secret = dir.resolve("short-callback-secret");
        PrivateFiles.create(secret, Base64.getEncoder().encodeToString(SagalogNode.Options.randomSecret()));
        EngineInstance engine = new EngineInstance(new EngineInstance.Settings("short-engine", bootstrap,
                dir.resolve("short-engine"), "sagalog-short", "short-1", EmbeddedKafka.freePort(), 3, secret, null,
                List.of(), List.of("--topic-prefix=short."), "512m"));
        try {
            engine.start();
            engine.awaitReady(Duration.ofSeconds(180));
            String warning = "topic short.control has replication factor 2, fewer than the 3 asked";
            assertThat(Files.readAllLines(engine.process().log())).as("the engine's log")
                    .anyMatch(l -> l.contains("WARN") && l.contains(warning));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(engine.baseUrl() + "/health/cluster"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode health = HttpTestClient.JSON.readTree(r.body());
            assertThat(health.path("status").asText()).as(r.body()).isEqualTo("YELLOW");
            assertThat(health.path("reasons").toString()).contains(warning);
        } finally {
            engine.close();
        }
    }

    @Test
    @Order(2)
    void shouldListEveryProcessCompleteATransactionAndLeaveNoProcessWhenStopped() throws Exception {
        List<Listed> processes = listed();
        assertThat(processes).as(String.join("\n", output)).extracting(Listed::name)
                .containsExactlyInAnyOrder("broker-1", "broker-2", "broker-3", "engine-1", "engine-2");
        for (Listed p : processes) {
            assertThat(ProcessHandle.of(p.pid())).as(p.name() + " pid " + p.pid()).hasValueSatisfying(h -> assertThat(h.isAlive()).isTrue());
            assertThat(p.dataDir()).as(p.name() + " data dir").isDirectory();
        }
        assertThat(output).anyMatch(l -> l.matches(".*broker-1\\s+\\d+\\s+kafka \\d+, controller \\d+.*"));

        // Through the second engine: any instance takes a transaction, the demo participants run in the dev process.
        Listed engine2 = processes.stream().filter(p -> p.name().equals("engine-2")).findFirst().orElseThrow();
        String token = tokens.firstTokenPerRole().get(Role.SUBMITTER);
        String base = "http://127.0.0.1:" + engine2.httpPort();
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/transactions"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"definition\":\"trip-booking\",\"input\":{\"traveller\":\"Ada\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String txId = HttpTestClient.JSON.readTree(accepted.body()).path("txId").asText();
        JsonNode[] tx = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/transactions/" + txId))
                    .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
            tx[0] = r.statusCode() == 200 ? HttpTestClient.JSON.readTree(r.body()) : null;
            return tx[0] != null && tx[0].path("status").asText().equals("COMPLETED");
        });

        // Stopped as Ctrl-C stops it: every child goes with it.
        List<ProcessHandle> children = dev.descendants().toList();
        assertThat(children.stream().map(ProcessHandle::pid).toList()).as("its children")
                .containsAll(processes.stream().map(Listed::pid).toList());
        dev.destroy();
        assertThat(dev.waitFor(120, TimeUnit.SECONDS)).as("sagalog dev stopped within 120 s").isTrue();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(children).noneMatch(ProcessHandle::isAlive));
    }
}
