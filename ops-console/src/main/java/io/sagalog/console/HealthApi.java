package io.sagalog.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.health.ComponentHealth;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /health/live}: the process answers. {@code GET /health/ready}: every check passes (e.g. the engine
 * is RUNNING, every background loop is UP); 503 otherwise, with {@code down} naming the checks that fail and each
 * check's state (with its last error) so an operator sees which one is not ready and why.
 */
public final class HealthApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One readiness check: its current state, and whether that state counts as ready. */
    public record Check(String state, boolean ready) {}

    private final Map<String, Supplier<Check>> checks;

    /** A check of one background component: ready while UP or DEGRADED; its state names the last error otherwise. */
    public static Supplier<Check> component(ComponentHealth health, String component) {
        return () -> {
            ComponentHealth.Status status = health.status(component);
            return new Check(status.describe(), status.ready());
        };
    }

    public HealthApi(Map<String, Supplier<Check>> checks) {
        this.checks = Map.copyOf(checks);
    }

    public void mount(Router router) {
        router.get("/health/live").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
                .end("{\"status\":\"UP\"}"));
        router.get("/health/ready").handler(ctx -> {
            ObjectNode body = JSON.createObjectNode();
            ObjectNode details = JSON.createObjectNode();
            com.fasterxml.jackson.databind.node.ArrayNode down = JSON.createArrayNode();
            for (var check : new java.util.TreeMap<>(checks).entrySet()) {
                Check c;
                try {
                    c = check.getValue().get();
                } catch (RuntimeException e) {
                    c = new Check("check failed: " + e, false);
                }
                details.put(check.getKey(), c.state());
                if (!c.ready()) {
                    down.add(check.getKey());
                }
            }
            boolean ready = down.isEmpty();
            body.put("status", ready ? "UP" : "DOWN");
            if (!ready) {
                body.set("down", down);
            }
            body.set("checks", details);
            ctx.response().setStatusCode(ready ? 200 : 503).putHeader("Content-Type", "application/json")
                    .end(body.toString());
        });
    }
}
