package io.sagalog.http;

import io.sagalog.engine.TransactionQueries;
import io.sagalog.engine.TransactionQueries.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.List;
import java.util.Optional;

/**
 * Sends a request about one transaction to the engine instance that owns its partition, and relays the answer.
 * Asynchronous (Vert.x web client); the caller's {@code Authorization} goes along and is checked again there.
 */
public final class OwnerForwarding {
    /** Marks a request one instance sent another: answer from local stores, never forward again. */
    public static final String FORWARDED = "X-Sagalog-Forwarded";
    /**
     * How long an owner has to answer a read beyond the time the request asked to wait ({@code ?wait=}): it reads its
     * local stores in milliseconds, so one silent this long is paused or dead (a SIGSTOPped process's kernel still
     * accepts the connection and takes the request, then nothing comes back). Answered 503 then, not held.
     */
    public static final java.time.Duration READ_TIMEOUT = java.time.Duration.ofSeconds(2);
    /**
     * How long an owner has to answer an action: it answers once Kafka has the action, within its own
     * {@code --http-request-timeout} (default 10 s); this stays under that default so the caller gets this instance's
     * 503 naming the owner and saying the outcome is unknown, not the generic request timeout.
     */
    public static final java.time.Duration ACTION_TIMEOUT = java.time.Duration.ofSeconds(9);

    private final TransactionQueries queries;
    private final WebClient client;

    public OwnerForwarding(Vertx vertx, TransactionQueries queries) {
        this.queries = queries;
        this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(2_000).setIdleTimeout(30)
                .setKeepAlive(true));
    }

    public WebClient client() {
        return client;
    }

    /** Forwards to the owner and returns true, or returns false when this instance should answer itself. */
    public boolean forwardToOwner(RoutingContext ctx, String txId) {
        if (ctx.request().getHeader(FORWARDED) != null) {
            return false;
        }
        Optional<Endpoint> owner;
        try {
            owner = queries.ownerOf(txId);
        } catch (RuntimeException e) {
            owner = Optional.empty();
        }
        if (owner.isEmpty() || owner.get().equals(queries.self())) {
            return false;
        }
        Endpoint target = owner.get();
        boolean read = ctx.request().method() == HttpMethod.GET;
        long timeout = read ? waitMillis(ctx) + READ_TIMEOUT.toMillis() : ACTION_TIMEOUT.toMillis();
        HttpRequest<Buffer> forward = client.request(ctx.request().method(), target.port(), target.host(), ctx.request().uri())
                .putHeader(FORWARDED, queries.self().toString())
                .timeout(timeout);
        for (String h : List.of("Authorization", "Content-Type")) {
            if (ctx.request().getHeader(h) != null) {
                forward.putHeader(h, ctx.request().getHeader(h));
            }
        }
        Future<HttpResponse<Buffer>> sent = ctx.request().method() == HttpMethod.GET ? forward.send()
                : forward.sendBuffer(ctx.body().buffer() == null ? Buffer.buffer() : ctx.body().buffer());
        // A submit that waited (POST ?wait, rerouted here) was recorded: it answers 202, never 503 or 404.
        boolean submitted = ctx.request().getParam("submitted") != null;
        sent.onComplete(r -> {
            if (submitted && (r.failed() || r.result().statusCode() == 404 || r.result().statusCode() >= 500)) {
                acceptedPending(ctx, txId);
                return;
            }
            if (r.failed()) {
                if (ctx.response().ended()) {
                    return;
                }
                ctx.response().putHeader("Retry-After", "1");
                Problem.unavailable("transaction " + txId + " is held by engine instance " + target + ", which did not "
                        + "answer within " + timeout + " ms (" + r.cause().getMessage() + "); "
                        + (read ? "retry shortly" : "the action may or may not have been recorded: read the "
                        + "transaction's history before retrying")).send(ctx);
                return;
            }
            HttpResponse<Buffer> answer = r.result();
            for (String h : List.of("Content-Type", "Retry-After", "Location", "WWW-Authenticate")) {
                if (answer.getHeader(h) != null) {
                    ctx.response().putHeader(h, answer.getHeader(h));
                }
            }
            ctx.response().setStatusCode(answer.statusCode()).end(answer.body() == null ? Buffer.buffer() : answer.body());
        });
        return true;
    }

    /** The {@code ?wait=} of a read, 0 if none or invalid (the owner answers 422 to that at once). */
    private static long waitMillis(RoutingContext ctx) {
        try {
            java.time.Duration d = TransactionWaits.parseWait(ctx.request().getParam("wait"));
            return d == null ? 0 : d.toMillis();
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    /** 202 for a submitted transaction whose state cannot be read now: it was recorded and is pending. */
    public static void acceptedPending(RoutingContext ctx, String txId) {
        if (ctx.response().ended()) {
            return;
        }
        String self = "/v1/transactions/" + txId;
        ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json").putHeader("Location", self)
                .end(new io.vertx.core.json.JsonObject().put("txId", txId).put("status", "PENDING")
                        .put("links", new io.vertx.core.json.JsonObject().put("self", self)).encode());
    }
}
