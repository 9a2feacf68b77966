package io.sagalog.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.engine.TransactionQueries.Endpoint;
import io.sagalog.health.ComponentHealth;
import io.sagalog.ingest.DeliveryAdmission;
import io.sagalog.http.auth.DeclaredRoutes;
import io.sagalog.http.auth.Role;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's back-pressure figures as a stateless front end learns them: each engine node serves its own record lag
 * and its participants' delivery delays at {@link #PATH}; a front end fetches them from every {@code --engine-url}
 * twice a second (non-blocking, on its event loop) and applies the same admission rules as an engine node
 * ({@link io.sagalog.ingest.LagAdmission}, {@link DeliveryAdmission}) to the worst figures any engine instance
 * reported recently.
 *
 * <p>Stale figures fail open, on purpose: an instance's figures count for {@link #FRESH} after they arrived (longer
 * than the engine's own two-to-four-second delay window, so a missed fetch changes nothing). When no engine
 * instance answered for that long, the front admits without engine back-pressure, logs it once at WARN and reports
 * component {@value #COMPONENT} DEGRADED (ready, so the front stays in its Service). Refusing instead would turn every
 * engine restart into an outage of submits, which the control log exists to absorb; and an engine that does not
 * answer delivers nothing, so no participant's backlog grows meanwhile: once an engine answers again its lag (which
 * counts what was taken meanwhile) applies within a second.
 */
final class EngineLoad implements DeliveryAdmission.Delays {
    private static final Logger log = LoggerFactory.getLogger(EngineLoad.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PATH = "/v1/internal/engine-load";
    static final String COMPONENT = "engine-load";
    static final Duration FRESH = Duration.ofSeconds(5);
    static final long PERIOD_MILLIS = 500;

    /** One instance's figures and when they arrived. */
    private record Sample(long engineLag, Map<String, Long> delayMillis, long receivedAtMillis) {}

    private final Map<String, Sample> byInstance = new ConcurrentHashMap<>();
    private final ComponentHealth health;
    private final LongSupplier clock;
    private volatile boolean stale;
    /** Why the last fetch gave nothing (e.g. a 401 for a token the engines do not know), for the stale report. */
    private volatile String lastFailure = "none yet";

    EngineLoad(ComponentHealth health) {
        this(health, System::currentTimeMillis);
    }

    EngineLoad(ComponentHealth health, LongSupplier clock) {
        this.health = health;
        this.clock = clock;
        health.register(COMPONENT);
    }

    /** On an engine node: serves its own figures to the front ends (any role: a front holds a submitter token). */
    static void serve(DeclaredRoutes routes, Supplier<String> instance, LongSupplier engineLag,
                      Supplier<Map<String, Long>> delayMillis) {
        routes.route(HttpMethod.GET, PATH, Role.SUBMITTER, Role.VIEWER, Role.OPERATOR).handler(ctx -> {
            ObjectNode body = JSON.createObjectNode().put("instance", instance.get())
                    .put("engineLag", engineLag.getAsLong());
            ObjectNode delays = body.putObject("deliveryDelayMillis");
            delayMillis.get().forEach(delays::put);
            ctx.response().putHeader("Content-Type", "application/json").end(body.toString());
        });
    }

    /**
     * On a front end: fetches every engine's figures every {@link #PERIOD_MILLIS}; {@code afterEachAnswer} runs on the
     * event loop after each answer (e.g. {@code LagAdmission::refresh}, cheap once the figures are here).
     *
     * @param token a bearer token the engines accept; null when they check none
     */
    void follow(Vertx vertx, List<Endpoint> engines, String token, Runnable afterEachAnswer) {
        WebClient client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(1_000).setIdleTimeout(30)
                .setKeepAlive(true).setFollowRedirects(false));
        vertx.setPeriodic(0, PERIOD_MILLIS, id -> {
            for (Endpoint engine : engines) {
                var request = client.get(engine.port(), engine.host(), PATH).timeout(PERIOD_MILLIS * 2);
                if (token != null) {
                    request.bearerTokenAuthentication(token);
                }
                request.send().onComplete(r -> {
                    // Whatever an answer holds, the timer goes on: a failure here is one missed sample, reported.
                    try {
                        if (r.succeeded() && r.result().statusCode() == 200) {
                            accept(r.result().bodyAsString());
                        } else {
                            lastFailure = engine + ": " + (r.succeeded() ? "HTTP " + r.result().statusCode() + " "
                                    + r.result().bodyAsString() : r.cause().toString());
                            log.debug("no load figures from engine {}", lastFailure);
                        }
                    } catch (RuntimeException e) {
                        lastFailure = engine + ": " + e;
                        log.warn("unreadable load figures from engine {}: {}", engine, e.toString());
                    }
                    checkFresh();
                    afterEachAnswer.run();
                });
            }
        });
    }

    private void accept(String body) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        Map<String, Long> delays = new HashMap<>();
        json.path("deliveryDelayMillis").fields().forEachRemaining(e -> delays.put(e.getKey(), e.getValue().asLong()));
        byInstance.put(json.path("instance").asText(), new Sample(json.path("engineLag").asLong(), Map.copyOf(delays),
                clock.getAsLong()));
    }

    /** Drops figures older than {@link #FRESH}; reports (once per change) whether any are left. */
    private void checkFresh() {
        long oldest = clock.getAsLong() - FRESH.toMillis();
        byInstance.values().removeIf(s -> s.receivedAtMillis() < oldest);
        boolean nowStale = byInstance.isEmpty();
        if (nowStale && !stale) {
            log.warn("no engine instance reported its lag and delivery delays for {} s (last failure {}): admitting "
                    + "submits without engine back-pressure until one answers", FRESH.toSeconds(), lastFailure);
            health.degraded(COMPONENT, new IllegalStateException("no engine instance answered " + PATH + " for "
                    + FRESH.toSeconds() + " s (last failure " + lastFailure + "); submits are admitted without engine "
                    + "back-pressure"));
        } else if (!nowStale) {
            if (stale) {
                log.info("engine load figures arrive again: engine back-pressure applies");
            }
            health.up(COMPONENT);
        }
        stale = nowStale;
    }

    /** The largest record lag an engine instance reported recently; 0 when none did. */
    long engineLag() {
        long oldest = clock.getAsLong() - FRESH.toMillis();
        return byInstance.values().stream().filter(s -> s.receivedAtMillis() >= oldest)
                .mapToLong(Sample::engineLag).max().orElse(0);
    }

    @Override
    public Map.Entry<String, Long> worst(Iterable<String> participants) {
        long oldest = clock.getAsLong() - FRESH.toMillis();
        Map.Entry<String, Long> worst = null;
        for (Sample sample : byInstance.values()) {
            if (sample.receivedAtMillis() < oldest) {
                continue;
            }
            for (String participant : participants) {
                long millis = sample.delayMillis().getOrDefault(participant, 0L);
                if (millis > 0 && (worst == null || millis > worst.getValue())) {
                    worst = Map.entry(participant, millis);
                }
            }
        }
        return worst;
    }
}
