package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sagalog.engine.TransactionQueries.Endpoint;
import io.sagalog.health.ComponentHealth;
import io.sagalog.http.auth.BearerAuth;
import io.sagalog.http.auth.DeclaredRoutes;
import io.sagalog.http.auth.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A front end learns the engines' admission figures over HTTP (with its token), takes the worst, and when no engine
 * answered for {@link EngineLoad#FRESH} it drops them: it admits, and says so in its health.
 */
class EngineLoadTest {
    private static final String TOKEN = "tok-submitter-0123456789";
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldApplyTheWorstRecentFiguresAndFailOpenOnceNoEngineAnswered() throws Exception {
        HttpServer slow = engine("engine-a", 700, Map.of("payments", 1500L, "mail", 10L));
        HttpServer calm = engine("engine-b", 20, Map.of("payments", 30L));
        AtomicLong now = new AtomicLong(1_000_000);
        ComponentHealth health = new ComponentHealth();
        EngineLoad load = new EngineLoad(health, now::get);
        load.follow(vertx, List.of(new Endpoint("127.0.0.1", slow.actualPort()),
                new Endpoint("127.0.0.1", calm.actualPort())), TOKEN, () -> {});

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(load.worst(List.of("payments", "mail"))).isEqualTo(Map.entry("payments", 1500L));
            assertThat(load.engineLag()).isEqualTo(700);
        });
        assertThat(load.worst(List.of("hotels"))).as("a participant no engine waits for").isNull();
        assertThat(health.status(EngineLoad.COMPONENT).state()).isEqualTo(ComponentHealth.State.UP);

        slow.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        calm.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // Time goes on while no engine answers: advanced at every look, since a fetch that was already in flight when
        // the servers closed may still have succeeded at the first jumped-to instant (a flake on a busy machine).
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            now.addAndGet(EngineLoad.FRESH.toMillis() + 1);
            assertThat(health.status(EngineLoad.COMPONENT).state()).isEqualTo(ComponentHealth.State.DEGRADED);
        });
        assertThat(health.status(EngineLoad.COMPONENT).ready()).as("still ready: the front keeps taking submits").isTrue();
        assertThat(load.worst(List.of("payments", "mail"))).as("stale figures are dropped").isNull();
        assertThat(load.engineLag()).isZero();
    }

    /** An engine's figures as EngineLoad serves them, behind bearer auth. */
    private HttpServer engine(String instance, long lag, Map<String, Long> delays) throws Exception {
        Router router = Router.router(vertx);
        DeclaredRoutes routes = DeclaredRoutes.on(router, new BearerAuth(Tokens.parse(List.of(TOKEN + " submitter"),
                "EngineLoadTest")));
        EngineLoad.serve(routes, () -> instance, () -> lag, () -> delays);
        return vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
