package io.sagalog.app;

import io.sagalog.engine.TransactionQueries.Endpoint;
import io.sagalog.ingest.IngestApi;
import io.sagalog.http.ApiDocuments;
import io.sagalog.http.OwnerForwarding;
import io.sagalog.http.Problem;
import io.sagalog.http.TransactionWaits;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.ConnectException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a stateless front end does not answer itself goes to an engine instance unchanged (method, path, query,
 * body, bearer token) and the answer comes back unchanged: reads, operator actions, step-result callbacks, the
 * registry, the console and {@code /health/cluster}. The engine checks the caller's token and routes the request on
 * to the transaction's owner. An engine address that refuses the connection (nothing was sent) is skipped for the
 * next; when none answers the caller gets 503 with {@code Retry-After}.
 */
final class EngineRelay {
    /** Connection-level headers, which belong to one hop and are not passed on. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "te",
            "trailer", "upgrade", "host", "content-length", "proxy-authorization", "proxy-connection");

    private final EngineInstances engines;
    private final WebClient client;

    EngineRelay(Vertx vertx, EngineInstances engines) {
        this.engines = engines;
        this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(2_000).setIdleTimeout(30)
                .setKeepAlive(true).setFollowRedirects(false).setDecompressionSupported(false));
    }

    /**
     * Mounted before the API's own routes: {@code POST /v1/transactions} (a submit, which the front answers
     * itself) and the API's documents ({@link ApiDocuments}) pass on to them; every other {@code /v1} request, the console and the cluster health are relayed.
     */
    void mount(Router router) {
        router.route("/v1/*").handler(ctx -> {
            HttpMethod method = ctx.request().method();
            if (method == HttpMethod.POST && isSubmitPath(ctx.request().path())
                    || ApiDocuments.isDocument(method, ctx.request().path())) {
                ctx.next();
            } else {
                relay(ctx);
            }
        });
        router.route("/console*").handler(this::relay);
        router.get("/health/cluster").handler(this::relay);
    }

    private static boolean isSubmitPath(String path) {
        return path.equals("/v1/transactions") || path.equals("/v1/transactions/");
    }

    private void relay(RoutingContext ctx) {
        // The body is read here (not by a BodyHandler) so that any method and size the engine accepts passes through.
        if (ctx.body() != null && ctx.body().available()) {
            send(ctx, engines.inTurn(), ctx.body().buffer());
            return;
        }
        ctx.request().body().onComplete(body -> {
            if (body.failed()) {
                return; // the client went away while sending
            }
            if (body.result().length() > IngestApi.BODY_LIMIT_BYTES) {
                Problem.bodyTooLarge(IngestApi.BODY_LIMIT_BYTES).send(ctx);
                return;
            }
            send(ctx, engines.inTurn(), body.result());
        });
    }

    private void send(RoutingContext ctx, List<Endpoint> targets, Buffer body) {
        Endpoint target = targets.get(0);
        HttpMethod method = ctx.request().method();
        HttpRequest<Buffer> request = client.request(method, target.port(), target.host(), ctx.request().uri())
                .timeout(TransactionWaits.MAX_WAIT.toMillis() + 10_000); // a read may wait (?wait=)
        copy(ctx.request().headers(), request.headers());
        Future<HttpResponse<Buffer>> sent = method == HttpMethod.GET || method == HttpMethod.HEAD || body == null
                || body.length() == 0 ? request.send() : request.sendBuffer(body);
        // A submit that waited (rerouted here as GET ?submitted=pending) was recorded: 202, never 503 or 404.
        boolean submitted = ctx.request().getParam("submitted") != null;
        sent.onComplete(r -> {
            if (ctx.response().ended() || ctx.response().closed()) {
                return;
            }
            if (r.failed() && r.cause() instanceof ConnectException && targets.size() > 1) {
                send(ctx, targets.subList(1, targets.size()), body); // nothing reached that one: the next may answer
                return;
            }
            if (submitted && (r.failed() || r.result().statusCode() == 404 || r.result().statusCode() >= 500)) {
                String path = ctx.request().path();
                OwnerForwarding.acceptedPending(ctx, path.substring(path.lastIndexOf('/') + 1));
                return;
            }
            if (r.failed()) {
                ctx.response().putHeader("Retry-After", "1");
                Problem.unavailable("no engine instance answered (" + target + ": " + r.cause().getMessage()
                        + "); this front end passes reads, actions and callbacks on to them; retry shortly").send(ctx);
                return;
            }
            HttpResponse<Buffer> answer = r.result();
            copy(answer.headers(), ctx.response().headers());
            ctx.response().setStatusCode(answer.statusCode())
                    .end(answer.body() == null ? Buffer.buffer() : answer.body());
        });
    }

    private static void copy(MultiMap from, MultiMap to) {
        from.forEach((name, value) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                to.add(name, value);
            }
        });
    }
}
