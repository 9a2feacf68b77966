package io.sagalog.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.health.ComponentHealth;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthApiTest {
    private final ComponentHealth health = new ComponentHealth();
    private Vertx vertx;
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        new HealthApi(Map.of("engine", () -> new HealthApi.Check("RUNNING", true),
                "registry", HealthApi.component(health, "registry"),
                "dispatcher", HealthApi.component(health, "dispatcher"))).mount(router);
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldBeReadyWhileEveryComponentIsUpOrDegraded() throws Exception {
        health.up("registry");
        health.degraded("dispatcher", new org.apache.kafka.common.errors.TimeoutException("broker away"));

        HttpResponse<String> r = ready();

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"status\":\"UP\"", "\"registry\":\"UP\"",
                "\"dispatcher\":\"DEGRADED: TimeoutException: broker away\"").doesNotContain("\"down\"");
    }

    @Test
    void shouldAnswer503NamingTheComponentThatIsDownWithItsError() throws Exception {
        health.up("registry");
        health.restarting("dispatcher", new IllegalStateException("commit failed"));

        HttpResponse<String> r = ready();

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("\"status\":\"DOWN\"", "\"down\":[\"dispatcher\"]",
                "\"dispatcher\":\"RESTARTING: IllegalStateException: commit failed\"");
    }

    @Test
    void shouldCountAComponentNobodyStartedAsDown() throws Exception {
        health.up("registry");

        HttpResponse<String> r = ready();

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("\"down\":[\"dispatcher\"]", "not registered");
    }

    private HttpResponse<String> ready() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.actualPort() + "/health/ready")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
