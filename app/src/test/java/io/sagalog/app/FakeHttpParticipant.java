package io.sagalog.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * HTTP participants as a test sees them: a Vert.x server on 127.0.0.1 that serves any number of participants, one
 * per path ({@code POST /{participant}}), and {@code GET /health}. Every call is recorded before it is answered,
 * with how many times its idempotency key was seen, so a test can check what arrived, in which order, and with
 * which key. How each call is answered is up to the test ({@link #behave}); by default actions answer 200 with a
 * small output and compensations 200 with {@code {}}.
 *
 * <p>The server can be stopped (its port then refuses connections) and started again on the same port.
 */
final class FakeHttpParticipant implements AutoCloseable {

    /** One call as the participant received it. */
    record Call(long seq, String participant, String txId, String definition, String step, String phase, String action,
                int attempt, String idempotencyKey, int delivery, JsonNode body) {
        boolean isAction() {
            return phase.equals("action");
        }

        String callbackUrl() {
            return body.path("callback").path("url").asText();
        }

        String callbackToken() {
            return body.path("callback").path("token").asText();
        }

        /** e.g. {@code hpit-a.reserve}: participant and handler. */
        String label() {
            return participant + "." + action;
        }
    }

    /** How to answer: an HTTP status and JSON body, optionally after a delay and with extra headers. */
    record Reply(int status, String body, long delayMillis, Map<String, String> headers) {
        Reply(int status, String body, long delayMillis) {
            this(status, body, delayMillis, Map.of());
        }

        static Reply ok(String json) {
            return new Reply(200, json, 0);
        }

        static Reply status(int status, String json) {
            return new Reply(status, json, 0);
        }

        Reply after(Duration delay) {
            return new Reply(status, body, delay.toMillis(), headers);
        }

        Reply withHeader(String name, String value) {
            Map<String, String> more = new java.util.LinkedHashMap<>(headers);
            more.put(name, value);
            return new Reply(status, body, delayMillis, Map.copyOf(more));
        }
    }

    /** The default answer: actions return who did what, compensations return {}. */
    static final Function<Call, Reply> SUCCEED = call -> call.isAction()
            ? Reply.ok("{\"participant\":\"" + call.participant() + "\",\"ref\":\"" + call.step() + "-" + call.attempt()
                    + "\",\"delivery\":" + call.delivery() + "}")
            : Reply.ok("{}");

    private final Vertx vertx;
    private final AtomicLong seq = new AtomicLong();
    private final List<Call> calls = new ArrayList<>();
    private final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    private final Map<String, Function<Call, Reply>> behaviours = new ConcurrentHashMap<>();
    private volatile boolean healthy = true;
    private volatile HttpServer server;
    private volatile int port;

    private FakeHttpParticipant(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Starts on a free port. */
    static FakeHttpParticipant start(Vertx vertx) throws Exception {
        FakeHttpParticipant p = new FakeHttpParticipant(vertx);
        p.listen(0);
        return p;
    }

    /** How the participant at {@code /{participant}} answers from now on. */
    FakeHttpParticipant behave(String participant, Function<Call, Reply> behaviour) {
        behaviours.put(participant, behaviour);
        return this;
    }

    int port() {
        return port;
    }

    String url(String participant) {
        return "http://127.0.0.1:" + port + "/" + participant;
    }

    String healthUrl() {
        return "http://127.0.0.1:" + port + "/health";
    }

    void healthy(boolean healthy) {
        this.healthy = healthy;
    }

    /** Closes the port: calls are refused until {@link #restart}. */
    void stop() throws Exception {
        HttpServer s = server;
        server = null;
        if (s != null) {
            s.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** Listens again on the same port. */
    void restart() throws Exception {
        listen(port);
    }

    private void listen(int onPort) throws Exception {
        HttpServer s = vertx.createHttpServer().requestHandler(this::handle).listen(onPort, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        port = s.actualPort();
        server = s;
    }

    private void handle(HttpServerRequest request) {
        if (request.path().equals("/health")) {
            request.response().setStatusCode(healthy ? 200 : 503).end(healthy ? "ok" : "unhealthy");
            return;
        }
        String participant = request.path().substring(1);
        request.body().onComplete(read -> {
            if (read.failed()) {
                request.response().setStatusCode(400).end();
                return;
            }
            Call call;
            try {
                JsonNode body = HttpTestClient.JSON.readTree(read.result().toString());
                String key = body.path("idempotencyKey").asText();
                int delivery = deliveries.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                call = new Call(seq.incrementAndGet(), participant, body.path("txId").asText(),
                        body.path("definition").asText(), body.path("step").asText(), body.path("phase").asText(),
                        body.path("action").asText(), body.path("attempt").asInt(), key, delivery, body);
            } catch (Exception e) {
                request.response().setStatusCode(400).end();
                return;
            }
            synchronized (calls) {
                calls.add(call);
            }
            Reply reply;
            try {
                reply = behaviours.getOrDefault(participant, SUCCEED).apply(call);
            } catch (RuntimeException e) {
                reply = Reply.status(500, "{\"error\":\"" + e + "\"}");
            }
            Reply r = reply;
            Runnable send = () -> {
                var response = request.response().setStatusCode(r.status()).putHeader("Content-Type", "application/json");
                r.headers().forEach(response::putHeader);
                response.end(r.body() == null ? "" : r.body());
            };
            if (r.delayMillis() > 0) {
                vertx.setTimer(r.delayMillis(), id -> send.run());
            } else {
                send.run();
            }
        });
    }

    /** Every call received so far, in arrival order. */
    List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    /** The calls of one transaction, in arrival order. */
    List<Call> calls(String txId) {
        return calls().stream().filter(c -> c.txId().equals(txId)).toList();
    }

    /** How many calls carried this idempotency key. */
    int deliveries(String idempotencyKey) {
        AtomicInteger n = deliveries.get(idempotencyKey);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
