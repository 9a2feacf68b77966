package io.sagalog.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.DefinitionParser;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Ingest when Kafka cannot be reached (a real producer against a port nobody listens on) or the engine is not ready. */
class IngestWithoutKafkaTest {
    private Vertx vertx;
    private HttpServer server;
    private KafkaControlLog controlLog;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        controlLog = new KafkaControlLog("127.0.0.1:" + deadPort, Duration.ofMillis(1500));
        DefinitionCatalog catalog = DefinitionCatalog.of(List.of(DefinitionParser.parse("""
                {"name": "trip-booking", "steps": [{"name": "a", "participant": "p", "action": "do", "kind": "pivot"}]}""", 1)));
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        new IngestApi(vertx, controlLog, () -> catalog, Clock.systemUTC()).mount(router);
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage()
                .toCompletableFuture().get();
    }

    @AfterEach
    void stop() {
        controlLog.close();
        vertx.close();
    }

    @Test
    void shouldAnswer503WithRetryAfterWhenKafkaDoesNotAcknowledge() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/v1/transactions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"definition\":\"trip-booking\",\"input\":{}}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).contains("5");
        assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(r.body()).contains("nothing was recorded");
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.actualPort() + path);
    }
}
