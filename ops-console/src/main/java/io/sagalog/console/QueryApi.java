package io.sagalog.console;

import static io.sagalog.http.auth.Role.OPERATOR;
import static io.sagalog.http.auth.Role.SUBMITTER;
import static io.sagalog.http.auth.Role.VIEWER;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.engine.TransactionQueries;
import io.sagalog.engine.TransactionView;
import io.sagalog.engine.TxStatus;
import io.sagalog.http.ControlLog;
import io.sagalog.http.JsonAnswers;
import io.sagalog.http.OwnerForwarding;
import io.sagalog.http.Problem;
import io.sagalog.http.TransactionWaits;
import io.sagalog.http.auth.BearerAuth;
import io.sagalog.http.auth.DeclaredRoutes;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction query and action API, served by every engine instance. A request about one transaction is
 * answered by the instance that owns its partition: others forward it there over HTTP. Lists and counts ask every
 * instance for its own part and merge ({@link ListsApi}); operator actions, one and bulk, are {@link ActionsApi}.
 * Store reads run on worker threads; forwarding is asynchronous; nothing blocks the event loop.
 */
public final class QueryApi {
    private static final Logger log = LoggerFactory.getLogger(QueryApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Set<TxStatus> SETTLED = EnumSet.of(TxStatus.COMPLETED, TxStatus.ROLLED_BACK,
            TxStatus.RESOLVED, TxStatus.PARKED);

    private final Vertx vertx;
    private final TransactionQueries queries;
    private final OwnerForwarding forwarding;
    private final ListsApi lists;
    private final ActionsApi actions;
    private final TransactionWaits waits;

    public QueryApi(Vertx vertx, TransactionQueries queries, ControlLog controlLog, Clock clock) {
        this(vertx, queries, controlLog, clock, null);
    }

    /** @param waits lets {@code GET /v1/transactions/{txId}?wait=5s} answer once the transaction settled; null: no waits */
    public QueryApi(Vertx vertx, TransactionQueries queries, ControlLog controlLog, Clock clock, TransactionWaits waits) {
        this.waits = waits;
        this.vertx = vertx;
        this.queries = queries;
        this.forwarding = new OwnerForwarding(vertx, queries);
        this.lists = new ListsApi(vertx, queries, clock, forwarding.client());
        this.actions = new ActionsApi(vertx, queries, controlLog, clock, forwarding);
    }

    public void mount(Router router) {
        mount(DeclaredRoutes.on(router, BearerAuth.disabled()));
    }

    /** Lists, counts and bulk progress are for people watching; acting is for operators; a submitter reads its own. */
    public void mount(DeclaredRoutes routes) {
        lists.mount(routes); // before /v1/transactions/:txId, which would take "counts" as a txId
        actions.mountBulk(routes);
        routes.route(HttpMethod.GET, "/v1/transactions/:txId", VIEWER, OPERATOR, SUBMITTER).handler(this::get);
        actions.mountOne(routes);
    }

    private void get(RoutingContext ctx) {
        String txId = txId(ctx);
        if (txId == null) {
            return;
        }
        Duration wait = TransactionWaits.waitParam(ctx, waits);
        if (wait == TransactionWaits.INVALID || forwarding.forwardToOwner(ctx, txId)) {
            return;
        }
        // Registered before reading the state, so a decision made in between wakes it.
        TransactionWaits.Wait settled = wait == null || wait.isZero() ? null : waits.await(txId, wait);
        read(txId).onComplete(found -> {
            if (settled == null || found.failed()
                    || found.result().map(v -> SETTLED.contains(v.state().status())).orElse(false)) {
                if (settled != null) {
                    settled.cancel().run();
                }
                answer(ctx, txId, found);
                return;
            }
            settled.settled().onComplete(s -> read(txId).onComplete(again -> answer(ctx, txId, again)));
        });
    }

    private Future<Optional<TransactionView>> read(String txId) {
        return vertx.executeBlocking(() -> queries.find(txId), false);
    }

    private void answer(RoutingContext ctx, String txId, AsyncResult<Optional<TransactionView>> found) {
        // A submission that waited (POST ?wait) and is not settled yet answers 202: accepted, still running.
        boolean pending = ctx.request().getParam("submitted") != null;
        if (found.failed() && pending) {
            // It was recorded: say so (202), never 503 or 500 (a client would retry and could duplicate it).
            log.debug("reading submitted transaction {} failed: {}", txId, found.cause().toString());
            OwnerForwarding.acceptedPending(ctx, txId);
        } else if (found.failed()) {
            ReadFailures.answer(ctx, found.cause(), "reading transaction " + txId);
        } else if (found.result().isEmpty()) {
            if (pending) {
                ObjectNode body = JSON.createObjectNode().put("txId", txId).put("status", "PENDING");
                body.putObject("links").put("self", "/v1/transactions/" + txId);
                JsonAnswers.send(ctx, 202, body.toString());
            } else {
                notFound(vertx, queries, ctx, txId);
            }
        } else {
            TransactionView view = found.result().get();
            JsonAnswers.send(ctx, pending && !SETTLED.contains(view.state().status()) ? 202 : 200,
                    TransactionJson.render(view));
        }
    }

    /** The {@code txId} path parameter in lower case; one that is not a UUID is answered 422 and null returned. */
    static String txId(RoutingContext ctx) {
        String txId = ctx.pathParam("txId");
        if (!UUID_TEXT.matcher(txId).matches()) {
            Problem.invalidRequest("'" + txId + "' is not a transaction id; ids are UUIDs as returned by POST /v1/transactions")
                    .send(ctx);
            return null;
        }
        return txId.toLowerCase(Locale.ROOT);
    }

    /** 410 Gone for a transaction that expired (while its marker is kept), else 404. */
    static void notFound(Vertx vertx, TransactionQueries queries, RoutingContext ctx, String txId) {
        vertx.executeBlocking(() -> queries.expired(txId), false).onComplete(gone -> {
            if (gone.succeeded() && gone.result().isPresent()) {
                TransactionGone.send(ctx, gone.result().get());
            } else {
                unknown(ctx, txId);
            }
        });
    }

    private static void unknown(RoutingContext ctx, String txId) {
        Problem.notFound("no transaction " + txId + " is known; if it was accepted a moment ago, the engine may not have "
                + "started it yet: retry shortly").send(ctx);
    }
}
