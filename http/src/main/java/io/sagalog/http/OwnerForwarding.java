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
        HttpRequest<Buffer> forward = client.request(ctx.request().method(), target.port(), target.host(), ctx.request().uri())
                .putHeader(FORWARDED, queries.self().toString())
                .timeout(TransactionWaits.MAX_WAIT.toMillis() + 10_000); // a forwarded request may wait (?wait=)
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
                ctx.response().putHeader("Retry-After", "1");
                Problem.unavailable("transaction " + txId + " is held by engine instance " + target + ", which did not "
                        + "answer (" + r.cause().getMessage() + "); retry shortly").send(ctx);
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
