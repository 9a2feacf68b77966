package io.sagalog.app;

import static io.sagalog.app.HttpParticipantsIntegrationTest.definition;
import static io.sagalog.app.HttpParticipantsIntegrationTest.step;
import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.TransactionQueries.Endpoint;
import io.sagalog.engine.registry.Registry;
import io.sagalog.health.ConsumerFactory;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import io.sagalog.schemas.KafkaClients;
import io.sagalog.schemas.TopicNames;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The stateless front end ({@link IngestNode}) applies the engine's overload protection: submits sent through it at
 * three times what an HTTP participant can serve are refused with 503 {@code overloaded} and {@code Retry-After}
 * (learned from the engine's delivery delays), and every transaction it accepted completes. Also: a definition just
 * registered through the engine is accepted by the front at once, not answered 422 until its registry reader
 * happens to catch up.
 */
@Tag("integration")
class IngestFrontOverloadIntegrationTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    private static HttpTestNode sagalog;
    private static FakeHttpParticipant participants;
    private static IngestNode front;
    private static HttpTestNode.Api frontApi;

    @BeforeAll
    static void start() throws Exception {
        sagalog = HttpTestNode.start();
        participants = FakeHttpParticipant.start(sagalog.vertx);
        front = IngestNode.start(new IngestNode.Options(KafkaClients.of(KafkaFixture.bootstrapServers()),
                TopicNames.DEFAULT, "127.0.0.1", 0, List.of(new Endpoint("127.0.0.1", sagalog.node.port())), null,
                HttpLimits.defaults(), null), IngestFrontOverloadIntegrationTest::slowRegistryReader);
        frontApi = new HttpTestNode.Api(front.port());
    }

    /**
     * The front's registry reader behind a slow broker: each fetch waits at the broker up to 800 ms for more bytes
     * than the registry ever holds ({@code fetch.min.bytes}), so a definition registered through the engine reaches
     * the front's catalog only after the registration answered.
     */
    private static Consumer<String, byte[]> slowRegistryReader(String component, Properties config) {
        if (!component.equals(Registry.COMPONENT)) {
            return ConsumerFactory.KAFKA.create(component, config);
        }
        Properties slow = new Properties();
        slow.putAll(config);
        slow.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, String.valueOf(64 * 1024 * 1024));
        slow.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "800");
        return ConsumerFactory.KAFKA.create(component, slow);
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(front, participants, sagalog);
    }

    @Test
    void shouldRefuseThroughTheFrontWhatAParticipantCannotServeAndCompleteEverythingItAccepted() throws Exception {
        String name = "fovl-" + RUN;
        OverloadIntegrationTest.registerSlowParticipant(sagalog, participants, name);

        OverloadIntegrationTest.Load load = OverloadIntegrationTest.Load.open(front.port(), name,
                OverloadIntegrationTest.OFFERED_PER_SECOND, OverloadIntegrationTest.LOAD);

        System.out.printf("overload through a front end: offered %d in %s, answers %s%n", load.offered(),
                OverloadIntegrationTest.LOAD, load.answers());
        OverloadIntegrationTest.assertRefusedWhatCouldNotBeServedAndCompletedTheRest(sagalog, participants, name, load);
    }

    @Test
    void shouldAcceptADefinitionJustRegisteredThroughTheEngineOnTheFirstSubmit() throws Exception {
        String participant = "fdef-" + RUN;
        participants.behave(participant, FakeHttpParticipant.SUCCEED);
        sagalog.api.registerHttpParticipant(participant, participants.url(participant), "5s", null);
        for (int i = 0; i < 5; i++) {
            String def = "fdef-" + RUN + "-" + i;
            sagalog.api.registerDefinition(def, definition(def, step("a", participant, "reserve", "cancel", "5s",
                    "{\"maxAttempts\":2}")));
            // At once, through the other process's registry reader: it catches up before answering.
            HttpResponse<String> r = frontApi.postJson(frontApi.base + "/v1/transactions",
                    "{\"definition\":\"" + def + "\",\"input\":{}}");
            assertThat(r.statusCode()).as("submit right after registering %s: %s", def, r.body()).isEqualTo(202);
        }
        HttpResponse<String> unknown = frontApi.postJson(frontApi.base + "/v1/transactions",
                "{\"definition\":\"never-registered-" + RUN + "\",\"input\":{}}");
        assertThat(unknown.statusCode()).as("a definition nobody registered is still 422").isEqualTo(422);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }
}
