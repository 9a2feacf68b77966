package io.sagalog.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.engine.TransactionQueries.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code GET /health/cluster}: one word for operators. GREEN: every engine instance is ready. YELLOW: some are
 * not (or do not answer) but at least one serves, or all serve but the deployment has a known weakness (a topic
 * with fewer replicas than asked), named in {@code reasons}. RED: none serves. Each instance is asked for its own
 * {@code /health/ready}; this one answers from its checks.
 */
public final class ClusterHealth {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebClient client;
    private final Supplier<List<Endpoint>> instances;
    private final Supplier<Endpoint> self;
    private final Supplier<Boolean> selfReady;
    private final Supplier<List<String>> weaknesses;
    private final java.util.concurrent.atomic.AtomicInteger lastStatus = new java.util.concurrent.atomic.AtomicInteger(-1);

    public ClusterHealth(WebClient client, Supplier<List<Endpoint>> instances, Supplier<Endpoint> self,
                         Supplier<Boolean> selfReady) {
        this(client, instances, self, selfReady, List::of);
    }

    /** @param weaknesses what is wrong although everything serves, one sentence each; any makes the cluster YELLOW */
    public ClusterHealth(WebClient client, Supplier<List<Endpoint>> instances, Supplier<Endpoint> self,
                         Supplier<Boolean> selfReady, Supplier<List<String>> weaknesses) {
        this.weaknesses = weaknesses;
        this.client = client;
        this.instances = instances;
        this.self = self;
        this.selfReady = selfReady;
    }

    /** The last status worked out (by a request or {@link #refreshEvery}): 0 GREEN, 1 YELLOW, 2 RED; -1 none yet. */
    public int lastStatus() {
        return lastStatus.get();
    }

    /** Works the status out every {@code millis} too, so that {@link #lastStatus} (a metric) stays current. */
    public void refreshEvery(io.vertx.core.Vertx vertx, long millis) {
        vertx.setPeriodic(1, millis, id -> evaluate());
    }

    public void mount(Router router) {
        router.get("/health/cluster").handler(ctx -> evaluate().onComplete(done -> {
            ObjectNode body = done.result();
            ctx.response().setStatusCode(body.get("status").asText().equals("RED") ? 503 : 200)
                    .putHeader("Content-Type", "application/json").end(body.toString());
        }));
    }

    private Future<ObjectNode> evaluate() {
        List<Endpoint> all;
        try {
            all = instances.get();
        } catch (RuntimeException e) {
            all = List.of(self.get());
        }
        List<Endpoint> endpoints = all;
        List<Future<String>> answers = new ArrayList<>();
        for (Endpoint e : endpoints) {
            if (e.equals(self.get())) {
                answers.add(Future.succeededFuture(selfReady.get() ? "UP" : "DOWN"));
            } else {
                answers.add(client.request(HttpMethod.GET, e.port(), e.host(), "/health/ready").timeout(2_000).send()
                        .map((HttpResponse<Buffer> r) -> r.statusCode() == 200 ? "UP" : "DOWN")
                        .recover(err -> Future.succeededFuture("UNREACHABLE")));
            }
        }
        return Future.join(answers).transform(done -> {
            ObjectNode body = JSON.createObjectNode();
            ArrayNode list = JSON.createArrayNode();
            int up = 0;
            for (int i = 0; i < endpoints.size(); i++) {
                String state = answers.get(i).result();
                up += state.equals("UP") ? 1 : 0;
                list.addObject().put("instance", endpoints.get(i).toString()).put("state", state);
            }
            List<String> reasons = new ArrayList<>(weaknesses.get());
            if (up < endpoints.size()) {
                reasons.add(0, (endpoints.size() - up) + " of " + endpoints.size() + " engine instances not ready");
            }
            String status = up == 0 ? "RED" : reasons.isEmpty() ? "GREEN" : "YELLOW";
            lastStatus.set(status.equals("GREEN") ? 0 : status.equals("YELLOW") ? 1 : 2);
            body.put("status", status).put("ready", up).put("instances", endpoints.size()).set("members", list);
            reasons.forEach(body.putArray("reasons")::add);
            return Future.succeededFuture(body);
        });
    }
}
