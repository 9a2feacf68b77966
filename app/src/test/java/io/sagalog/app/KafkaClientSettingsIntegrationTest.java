package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagalog.app.demo.TripBooking;
import io.sagalog.compensators.Participant;
import io.sagalog.compensators.ParticipantWorker;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.sagalog.schemas.KafkaClients;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A node whose only way into Kafka is a SASL/PLAIN listener: every client it makes (admin, Streams, ingest producer,
 * journal follower, registry, dispatcher) and the SDK workers must carry the --kafka-config credentials, or nothing
 * completes. A wrong password is one line and exit code 1. Its own broker, since the shared one has no SASL listener.
 */
@Tag("integration")
class KafkaClientSettingsIntegrationTest {
    private static final String USER = "sagalog";
    private static final String PASSWORD = "s3cret-" + UUID.randomUUID();
    /** Set on the topic before the node starts: shorter than --journal-retention, so the cluster is YELLOW. */
    private static final long ONE_DAY_MS = Duration.ofDays(1).toMillis();

    private static EmbeddedKafka kafka;
    private static String saslBootstrap;
    private static Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        dir = Files.createTempDirectory("sagalog-sasl-it");
        saslBootstrap = "127.0.0.1:" + EmbeddedKafka.freePort();
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of(
                "sasl.enabled.mechanisms", "PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + USER + "=\"" + PASSWORD + "\";"),
                "SASL_PLAINTEXT://" + saslBootstrap);
        // The journal exists already, kept one day by its own setting: the node must say so, not accept it silently.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            // ...and so does the archive of expired transactions (asked: --archive-retention, a year by default).
            admin.createTopics(List.of(new NewTopic("sagalog.journal", 3, (short) 1)
                    .configs(Map.of("retention.ms", Long.toString(ONE_DAY_MS))),
                    new NewTopic("sagalog.archive", 3, (short) 1)
                            .configs(Map.of("retention.ms", Long.toString(ONE_DAY_MS))))).all().get();
        }
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Path clientConfig(String name, String password) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, String.join("\n",
                "security.protocol=SASL_PLAINTEXT",
                "sasl.mechanism=PLAIN",
                "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + USER
                        + "\" password=\"" + password + "\";",
                "client.rack=rack-a"));
        return file;
    }

    @Test
    void shouldCompleteATransactionWhenEveryClientGoesThroughTheSaslListener() throws Exception {
        Path config = clientConfig("good.properties", PASSWORD);
        KafkaClients clients = KafkaClients.load(saslBootstrap, config);
        EngineConfig engine = EngineConfig.defaults(clients, dir.resolve("engine"))
                .withApplicationId("sasl-it-" + UUID.randomUUID());
        TripBooking demo = new TripBooking();
        List<ParticipantWorker> workers = new ArrayList<>();
        try (SagalogNode node = SagalogNode.start(new SagalogNode.Options(engine, "127.0.0.1", 0, 3,
                DefinitionCatalog.of(List.of(TripBooking.definition())))
                .withCluster(new ClusterSettings((short) 0, Duration.ofDays(30), 1)))) {
            // The SDK takes the same file, plus bootstrap.servers, as Kafka's own clients do.
            Properties sdk = new Properties();
            try (var in = Files.newBufferedReader(config)) {
                sdk.load(in);
            }
            sdk.setProperty("bootstrap.servers", saslBootstrap);
            for (Participant p : demo.participants()) {
                workers.add(ParticipantWorker.start(p, sdk));
            }
            HttpTestClient http = new HttpTestClient(node.port());
            HttpResponse<String> accepted = http.submit("{\"definition\":\"trip-booking\",\"input\":{\"traveller\":\"Ada\"}}");
            assertThat(accepted.statusCode()).isEqualTo(202);
            String txId = HttpTestClient.JSON.readTree(accepted.body()).path("txId").asText();

            JsonNode[] tx = new JsonNode[1];
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
                HttpResponse<String> r = http.get("/v1/transactions/" + txId);
                tx[0] = r.statusCode() == 200 ? HttpTestClient.JSON.readTree(r.body()) : null;
                return tx[0] != null && tx[0].path("status").asText().equals("COMPLETED");
            });
            assertThat(demo.calls(txId)).extracting(Object::toString)
                    .containsExactly("flights.reserve", "hotels.reserve", "payments.charge");

            // The journal kept shorter than asked is reported, with the reason, although every instance serves.
            JsonNode health = HttpTestClient.JSON.readTree(http.get("/health/cluster").body());
            assertThat(health.path("status").asText()).isEqualTo("YELLOW");
            assertThat(health.path("ready").asInt()).isEqualTo(1);
            assertThat(health.path("reasons").toString()).contains("sagalog.journal").contains("--journal-retention")
                    .contains("sagalog.archive").contains("--archive-retention");
        } finally {
            workers.forEach(ParticipantWorker::close);
        }
    }

    @Test
    void shouldDescribeTheTopicsOverTheSaslListener() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cli = SagalogCli.commandLine();
        cli.setOut(new PrintWriter(out));
        int code = cli.execute("topics", "describe", "--bootstrap", saslBootstrap, "--kafka-config",
                clientConfig("describe.properties", PASSWORD).toString(), "--partitions", "3");

        assertThat(out.toString()).contains("(1 broker)")
                .containsPattern("sagalog\\.journal +partitions 3 +replication-factor 1 .*retention\\.ms=2592000000")
                .contains("DIFFERS: retention.ms=" + ONE_DAY_MS);
        assertThat(code).as(out.toString()).isEqualTo(3); // something needed is missing or differs
    }

    @Test
    void shouldRefuseAWrongPasswordInOneLineAndExitCode1() throws Exception {
        // As an operator runs it: its own JVM, the shipped logging configuration, real stderr.
        Path logback = dir.resolve("logback.xml");
        try (var in = SagalogCli.class.getResourceAsStream("/logback.xml")) {
            Files.write(logback, in.readAllBytes());
        }
        Path stderr = dir.resolve("wrong-password.err");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", EngineProcess.currentClasspath(), "-Dlogback.configurationFile=" + logback,
                SagalogCli.class.getName(), "engine", "--bootstrap", saslBootstrap,
                "--kafka-config", clientConfig("wrong.properties", "not-the-password").toString(),
                "--no-auth", "--port", "0", "--data-dir", dir.resolve("wrong-engine").toString())
                .redirectError(stderr.toFile()).redirectOutput(dir.resolve("wrong-password.out").toFile()).start();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the command ends").isTrue();

        List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank()).toList();
        assertThat(process.exitValue()).as(String.join("\n", lines)).isEqualTo(1);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("sagalog engine: cannot use the Kafka cluster at " + saslBootstrap)
                .contains("Authentication failed").contains("--kafka-config").doesNotContain(PASSWORD);
        assertThat(Files.readString(dir.resolve("wrong-password.out"))).doesNotContain("ready");
    }

    @Test
    void shouldRefuseMoreCopiesThanBrokersInOneLine() throws Exception {
        StringWriter err = new StringWriter();
        CommandLine cli = SagalogCli.commandLine();
        cli.setErr(new PrintWriter(err));
        int code = cli.execute("topics", "create", "--bootstrap", kafka.bootstrapServers(), "--replication-factor", "3");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString().strip()).doesNotContain("\n")
                .startsWith("sagalog topics create: --replication-factor 3 needs at least as many brokers");
    }
}
