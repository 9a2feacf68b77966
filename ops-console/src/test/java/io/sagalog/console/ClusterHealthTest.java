package io.sagalog.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.engine.TransactionQueries.Endpoint;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /health/cluster} against real HTTP peers: one that is ready, one that is not, one nobody listens on. */
class ClusterHealthTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Endpoint SELF = new Endpoint("self.invalid", 1);

    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicInteger peerStatus = new AtomicInteger(200);
    private Vertx vertx;
    private Endpoint peer;
    private Endpoint nobody;

    @BeforeEach
    void startPeer() throws Exception {
        vertx = Vertx.vertx();
        Router peerRouter = Router.router(vertx);
        peerRouter.get("/health/ready").handler(ctx -> ctx.response().setStatusCode(peerStatus.get()).end());
        HttpServer server = await(vertx.createHttpServer().requestHandler(peerRouter).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture());
        peer = new Endpoint("127.0.0.1", server.actualPort());
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobody = new Endpoint("127.0.0.1", s.getLocalPort());
        }
    }

    @AfterEach
    void stop() throws Exception {
        await(vertx.close().toCompletionStage().toCompletableFuture());
    }

    @Test
    void shouldBeGreenWhenEveryInstanceIsReady() throws Exception {
        JsonNode body = cluster(() -> List.of(SELF, peer), true, List::of, 200);

        assertThat(body.get("status").asText()).isEqualTo("GREEN");
        assertThat(body.get("ready").asInt()).isEqualTo(2);
        assertThat(body.get("instances").asInt()).isEqualTo(2);
        assertThat(body.get("members").findValuesAsText("state")).containsExactly("UP", "UP");
        assertThat(body.get("reasons")).as("reasons, always present").isEmpty();
    }

    @Test
    void shouldBeYellowAndNameHowManyAreNotReadyWhenAPeerAnswersNotReady() throws Exception {
        peerStatus.set(503);

        JsonNode body = cluster(() -> List.of(SELF, peer), true, List::of, 200);

        assertThat(body.get("status").asText()).isEqualTo("YELLOW");
        assertThat(body.get("members").get(1).get("state").asText()).isEqualTo("DOWN");
        assertThat(body.get("reasons").get(0).asText()).isEqualTo("1 of 2 engine instances not ready");
    }

    @Test
    void shouldCallAPeerNobodyAnswersOnUnreachable() throws Exception {
        JsonNode body = cluster(() -> List.of(SELF, nobody), true, List::of, 200);

        assertThat(body.get("status").asText()).isEqualTo("YELLOW");
        assertThat(body.get("members").get(1).get("instance").asText()).isEqualTo(nobody.toString());
        assertThat(body.get("members").get(1).get("state").asText()).isEqualTo("UNREACHABLE");
    }

    @Test
    void shouldBeRedWith503WhenNoInstanceServes() throws Exception {
        JsonNode body = cluster(() -> List.of(SELF, nobody), false, List::of, 503);

        assertThat(body.get("status").asText()).isEqualTo("RED");
        assertThat(body.get("ready").asInt()).isZero();
        assertThat(body.get("reasons").get(0).asText()).isEqualTo("2 of 2 engine instances not ready");
    }

    @Test
    void shouldBeYellowWhenEverythingServesButTheDeploymentHasAKnownWeakness() throws Exception {
        JsonNode body = cluster(() -> List.of(SELF, peer), true,
                () -> List.of("topic sagalog.control has 1 replica; 3 were asked"), 200);

        assertThat(body.get("status").asText()).isEqualTo("YELLOW");
        assertThat(body.get("ready").asInt()).isEqualTo(2);
        assertThat(body.get("reasons").get(0).asText()).isEqualTo("topic sagalog.control has 1 replica; 3 were asked");
    }

    @Test
    void shouldAnswerForItselfWhenTheMembersCannotBeListed() throws Exception {
        JsonNode body = cluster(() -> {
            throw new IllegalStateException("Kafka Streams is not running");
        }, true, List::of, 200);

        assertThat(body.get("status").asText()).isEqualTo("GREEN");
        assertThat(body.get("instances").asInt()).isEqualTo(1);
        assertThat(body.get("members").get(0).get("instance").asText()).isEqualTo(SELF.toString());
    }

    private JsonNode cluster(Supplier<List<Endpoint>> instances, boolean selfReady, Supplier<List<String>> weaknesses,
                             int expectedStatus) throws Exception {
        Router router = Router.router(vertx);
        new ClusterHealth(WebClient.create(vertx), instances, () -> SELF, () -> selfReady, weaknesses).mount(router);
        HttpServer server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture());
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort()
                + "/health/cluster")).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(expectedStatus);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        return JSON.readTree(r.body());
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }
}
