package io.sagalog.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /health/live}: the process answers. {@code GET /health/ready}: every check passes (e.g. the engine
 * is RUNNING); 503 otherwise, with each check's state so an operator sees which one is not ready.
 */
public final class HealthApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One readiness check: its current state, and whether that state counts as ready. */
    public record Check(String state, boolean ready) {}

    private final Map<String, Supplier<Check>> checks;

    public HealthApi(Map<String, Supplier<Check>> checks) {
        this.checks = Map.copyOf(checks);
    }

    public void mount(Router router) {
        router.get("/health/live").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
                .end("{\"status\":\"UP\"}"));
        router.get("/health/ready").handler(ctx -> {
            ObjectNode body = JSON.createObjectNode();
            ObjectNode details = JSON.createObjectNode();
            boolean ready = true;
            for (var check : new java.util.TreeMap<>(checks).entrySet()) {
                Check c = check.getValue().get();
                details.put(check.getKey(), c.state());
                ready &= c.ready();
            }
            body.put("status", ready ? "UP" : "DOWN").set("checks", details);
            ctx.response().setStatusCode(ready ? 200 : 503).putHeader("Content-Type", "application/json")
                    .end(body.toString());
        });
    }
}
