package io.sagalog.app;

import static io.sagalog.app.HttpParticipantsIntegrationTest.definition;
import static io.sagalog.app.HttpParticipantsIntegrationTest.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sagalog.engine.Definition;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.sagalog.engine.registry.Registry;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A deployment's identity on a real broker: the dispatcher's group belongs to the application id and fails over
 * like the engine's, participants call back the advertised URL, an instance with another callback secret refuses to
 * start, and definition versions are decided once for the whole cluster.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MembershipIntegrationTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String APP = "it-members-" + RUN;
    private static final byte[] SECRET = SagalogNode.Options.randomSecret();

    private static int port;
    private static SagalogNode node;
    private static Vertx vertx;
    private static FakeHttpParticipant participants;
    private static HttpTestNode.Api api;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        port = EmbeddedKafka.freePort();
        node = SagalogNode.start(options(APP + "-a", SECRET, port));
        vertx = Vertx.vertx();
        participants = FakeHttpParticipant.start(vertx);
        api = new HttpTestNode.Api(port);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaFixture.bootstrapServers()));
    }

    /** An instance of the test's deployment, advertised as localhost (bound to 127.0.0.1), its secret checked. */
    private static SagalogNode.Options options(String instanceId, byte[] secret, int httpPort) throws Exception {
        EngineConfig engine = EngineConfig.defaults(KafkaFixture.bootstrapServers(), Files.createTempDirectory("sagalog-members-it"))
                .withApplicationId(APP).withInstanceId(instanceId)
                .withOverrides(Map.of(StreamsConfig.mainConsumerPrefix("auto.offset.reset"), "latest"));
        return new SagalogNode.Options(engine, "127.0.0.1", httpPort, 3, DefinitionCatalog.of(List.of()), secret)
                .withIdentity("http://localhost:" + httpPort, true);
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
        // As HttpTestNode does: retired to kafka, so dispatchers of later test classes do not call a closed port.
        try (Registry registry = Registry.start(KafkaFixture.bootstrapServers(), Duration.ofSeconds(30))) {
            for (String participant : api.httpParticipants) {
                registry.registerParticipant(io.sagalog.engine.registry.ParticipantInfo.kafka(participant))
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
        if (participants != null) {
            participants.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (admin != null) {
            admin.close();
        }
    }

    @Test
    @Order(1)
    void participantsCallBackTheAdvertisedUrlAndTheDispatcherIsAStaticMemberOfTheDeploymentsGroup() throws Exception {
        String participant = "members-p-" + RUN;
        api.registerHttpParticipant(participant, participants.url(participant), "5s", null);
        String name = "members-def-" + RUN;
        api.registerDefinition(name, definition(name, step("only", participant, "do", "undo", "5s",
                "{\"maxAttempts\":3,\"initialBackoff\":\"100ms\",\"maxBackoff\":\"1s\"}")));

        var accepted = api.client.submit("{\"definition\":\"" + name + "\",\"input\":{}}");
        assertThat(accepted.statusCode()).isEqualTo(202);
        String txId = HttpTestClient.JSON.readTree(accepted.body()).path("txId").asText();
        assertThat(api.client.awaitFinal(txId, Duration.ofSeconds(30)).path("status").asText()).isEqualTo("COMPLETED");

        assertThat(participants.calls(txId)).isNotEmpty().allSatisfy(call ->
                assertThat(call.callbackUrl()).isEqualTo("http://localhost:" + port + "/v1/step-results"));
        assertThat(node.queries().self().host()).as("the query address other instances forward to").isEqualTo("localhost");
        assertThat(dispatcherMembers()).extracting(m -> m.groupInstanceId().orElse(null))
                .containsExactly(APP + "-a-http-dispatcher");
    }

    @Test
    @Order(2)
    void anInstanceWithAnotherCallbackSecretRefusesToStartWithoutJoiningTheGroup() throws Exception {
        byte[] other = SagalogNode.Options.randomSecret();

        assertThatThrownBy(() -> SagalogNode.start(options(APP + "-b", other, 0)).close())
                .isInstanceOf(SharedSecret.Mismatch.class)
                .hasMessageContaining(SharedSecret.fingerprint(other))
                .hasMessageContaining(SharedSecret.fingerprint(SECRET))
                .hasMessageContaining("http://localhost:" + port)
                .hasMessageContaining("--callback-secret-file");
        assertThat(group(APP).members()).extracting(m -> m.groupInstanceId().orElse(null))
                .as("the refused instance never joined the engine's group (Streams adds its thread's number)")
                .containsExactly(APP + "-a-1");
        // The same secret passes: what a second, well-configured instance finds.
        SharedSecret.verify(node.registry(), APP, SECRET.clone(), "http://localhost:1");
    }

    @Test
    @Order(3)
    void concurrentRegistrationsThroughTwoRegistriesNeverShareAVersion() throws Exception {
        String name = "members-race-" + RUN;
        String participant = "members-race-p-" + RUN;
        int each = 8;
        try (Registry one = Registry.start(KafkaFixture.bootstrapServers(), Duration.ofSeconds(30));
             Registry two = Registry.start(KafkaFixture.bootstrapServers(), Duration.ofSeconds(30))) {
            List<CompletableFuture<Definition>> stored = new ArrayList<>();
            for (int i = 0; i < each; i++) {
                // Each registration is told apart by its action name, to check it is readable as the version it got.
                for (Registry registry : List.of(one, two)) {
                    String action = "act-" + (registry == one ? "one-" : "two-") + i;
                    stored.add(registry.registerDefinition(name, definition(name, step("s", participant, action, "undo",
                            "5s", "{\"maxAttempts\":3,\"initialBackoff\":\"100ms\",\"maxBackoff\":\"1s\"}"))).toCompletableFuture());
                }
            }
            CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            List<Integer> versions = stored.stream().map(f -> f.join().version()).sorted().toList();
            assertThat(versions).containsExactlyElementsOf(IntStream.rangeClosed(1, 2 * each).boxed().toList());
            for (Registry registry : List.of(one, two)) {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    for (CompletableFuture<Definition> f : stored) {
                        Definition answered = f.join();
                        assertThat(registry.definitions().find(name, answered.version()))
                                .as("version %d as every reader sees it", answered.version())
                                .hasValueSatisfying(d -> assertThat(d.steps().get(0).action())
                                        .isEqualTo(answered.steps().get(0).action()));
                    }
                });
            }
        }
    }

    @Test
    @Order(4)
    void aStoppingInstanceLeavesTheDispatcherGroupAtOnce() throws Exception {
        assertThat(dispatcherMembers()).isNotEmpty();
        long t0 = System.nanoTime();

        node.close();
        node = null;

        // A static member that merely closed would keep its partitions until its 6 s session timed out.
        await().atMost(Duration.ofSeconds(6)).until(() -> dispatcherMembers().isEmpty());
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
    }

    private static java.util.Collection<MemberDescription> dispatcherMembers() throws Exception {
        return group(APP + "-http-dispatcher").members();
    }

    private static ConsumerGroupDescription group(String id) throws Exception {
        return admin.describeConsumerGroups(List.of(id)).describedGroups().get(id).get(10, TimeUnit.SECONDS);
    }
}
