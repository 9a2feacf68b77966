package io.sagalog.console;

import static io.sagalog.ingest.auth.Role.OPERATOR;
import static io.sagalog.ingest.auth.Role.SUBMITTER;
import static io.sagalog.ingest.auth.Role.VIEWER;

import io.sagalog.ingest.auth.DeclaredRoutes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.engine.EngineNotReadyException;
import io.sagalog.engine.Input;
import io.sagalog.engine.OperatorActions;
import io.sagalog.engine.TransactionQueries;
import io.sagalog.engine.TransactionView;
import io.sagalog.engine.TxStatus;
import io.sagalog.ingest.ControlLog;
import io.sagalog.ingest.OwnerForwarding;
import io.sagalog.ingest.TransactionWaits;
import io.sagalog.ingest.Problem;
import io.sagalog.ingest.StrictJson;
import io.sagalog.ingest.auth.BearerAuth;
import io.sagalog.schemas.avro.ControlRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction query and action API, served by every engine instance. A request about one transaction is
 * answered by the instance that owns its partition: others forward it there over HTTP. Lists and counts ask every
 * instance for its own part and merge. Store reads run on worker threads; forwarding is asynchronous; nothing
 * blocks the event loop.
 */
public final class QueryApi {
    private static final Logger log = LoggerFactory.getLogger(QueryApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FORWARDED = OwnerForwarding.FORWARDED;
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final long BODY_LIMIT_BYTES = 64 * 1024;

    private final Vertx vertx;
    private final TransactionQueries queries;
    private final ControlLog controlLog;
    private final Clock clock;
    private final WebClient client;
    private final OwnerForwarding forwarding;
    private final BulkActions bulk;
    private final ListsApi lists;
    private final TransactionWaits waits;
    private static final java.util.Set<TxStatus> SETTLED = java.util.EnumSet.of(TxStatus.COMPLETED, TxStatus.ROLLED_BACK,
            TxStatus.RESOLVED, TxStatus.PARKED);

    public QueryApi(Vertx vertx, TransactionQueries queries, ControlLog controlLog, Clock clock) {
        this(vertx, queries, controlLog, clock, null);
    }

    /** @param waits lets {@code GET /v1/transactions/{txId}?wait=5s} answer once the transaction settled; null: no waits */
    public QueryApi(Vertx vertx, TransactionQueries queries, ControlLog controlLog, Clock clock, TransactionWaits waits) {
        this.waits = waits;
        this.vertx = vertx;
        this.queries = queries;
        this.controlLog = controlLog;
        this.clock = clock;
        this.forwarding = new OwnerForwarding(vertx, queries);
        this.client = forwarding.client();
        this.bulk = new BulkActions(client, () -> queries.self());
        this.lists = new ListsApi(vertx, queries, clock, client);
    }

    public void mount(Router router) {
        mount(DeclaredRoutes.on(router, io.sagalog.ingest.auth.BearerAuth.disabled()));
    }

    /** Lists, counts and bulk progress are for people watching; acting is for operators; a submitter reads its own. */
    public void mount(DeclaredRoutes routes) {
        lists.mount(routes); // before /v1/transactions/:txId, which would take "counts" as a txId
        routes.route(HttpMethod.POST, "/v1/transactions/actions", OPERATOR)
                .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT_BYTES))
                .handler(this::bulkAction).failureHandler(StrictJson.failures(BODY_LIMIT_BYTES));
        routes.route(HttpMethod.GET, "/v1/bulk-actions/:bulkId", VIEWER, OPERATOR).handler(this::bulkStatus);
        routes.route(HttpMethod.GET, "/v1/transactions/:txId", VIEWER, OPERATOR, SUBMITTER).handler(this::get);
        routes.route(HttpMethod.POST, "/v1/transactions/:txId/actions", OPERATOR)
                .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT_BYTES))
                .handler(this::action).failureHandler(StrictJson.failures(BODY_LIMIT_BYTES));
    }

    // ---- one transaction ----------------------------------------------------------------------------------

    private void get(RoutingContext ctx) {
        String txId = txId(ctx);
        if (txId == null) {
            return;
        }
        java.time.Duration wait = TransactionWaits.waitParam(ctx, waits);
        if (wait == TransactionWaits.INVALID || forwardToOwner(ctx, txId)) {
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

    private void answer(RoutingContext ctx, String txId, io.vertx.core.AsyncResult<Optional<TransactionView>> found) {
        // A submission that waited (POST ?wait) and is not settled yet answers 202: accepted, still running.
        boolean pending = ctx.request().getParam("submitted") != null;
        if (found.failed() && pending) {
            // It was recorded: say so (202), never 503 or 500 (a client would retry and could duplicate it).
            log.debug("reading submitted transaction {} failed: {}", txId, found.cause().toString());
            io.sagalog.ingest.OwnerForwarding.acceptedPending(ctx, txId);
        } else if (found.failed()) {
            failed(ctx, found.cause(), "reading transaction " + txId);
        } else if (found.result().isEmpty()) {
            if (pending) {
                ObjectNode body = JSON.createObjectNode().put("txId", txId).put("status", "PENDING");
                body.putObject("links").put("self", "/v1/transactions/" + txId);
                json(ctx, 202, body.toString());
            } else {
                notFound(ctx, txId);
            }
        } else {
            TransactionView view = found.result().get();
            json(ctx, pending && !SETTLED.contains(view.state().status()) ? 202 : 200, TransactionJson.render(view));
        }
    }

    private void action(RoutingContext ctx) {
        String txId = txId(ctx);
        if (txId == null) {
            return;
        }
        ActionRequest request = ActionRequest.parse(ctx);
        if (request == null || forwardToOwner(ctx, txId)) {
            return;
        }
        String actor = BearerAuth.actor(ctx).orElse("anonymous");
        Input.OperatorCommand command = new Input.OperatorCommand(txId, request.actionId(), request.action(),
                request.step(), request.output(), request.reason(), actor, request.force(), request.expectedSeq());
        vertx.<Optional<TransactionView>>executeBlocking(() -> queries.find(txId), false).onComplete(found -> {
            if (found.failed()) {
                failed(ctx, found.cause(), "reading transaction " + txId);
                return;
            }
            if (found.result().isEmpty()) {
                notFound(ctx, txId);
                return;
            }
            TransactionView view = found.result().get();
            if (view.definition() == null) {
                Problem.unavailable("definition " + view.state().definition() + " version "
                        + view.state().definitionVersion() + " is not loaded on this instance yet; retry shortly").send(ctx);
                return;
            }
            Optional<String> refusal = OperatorActions.refusal(view.state(), view.definition(), command);
            if (OperatorActions.isStale(view.state(), command)) {
                Problem.staleTransaction(refusal.orElse("the transaction has moved on since you looked; reload it and "
                        + "decide again")).send(ctx, Map.of("currentSeq", OperatorActions.currentSeq(view.state()),
                        "expectedSeq", command.expectedSeq()));
                return;
            }
            if (refusal.isPresent()) {
                Problem.of(409, "action-refused", "The action does not fit the transaction's state", refusal.get())
                        .send(ctx);
                return;
            }
            ControlRecord record = io.sagalog.engine.Wire.encode(command, clock.millis());
            Future.fromCompletionStage(controlLog.append(record), vertx.getOrCreateContext()).onComplete(appended -> {
                if (appended.failed()) {
                    ctx.response().putHeader("Retry-After", "5");
                    Problem.unavailable("Kafka did not acknowledge the action, so nothing was recorded; retry with the "
                            + "same actionId (" + appended.cause().getClass().getSimpleName() + ")").send(ctx);
                    return;
                }
                log.info("operator action {} {} on {} by {}", command.action().wireName(), command.actionId(), txId, actor);
                ObjectNode body = JSON.createObjectNode().put("actionId", command.actionId()).put("txId", txId)
                        .put("action", command.action().wireName()).put("status", "accepted");
                body.putObject("links").put("transaction", "/v1/transactions/" + txId);
                json(ctx, 202, body.toString());
            });
        });
    }

    // ---- bulk actions -------------------------------------------------------------------------------------

    private void bulkAction(RoutingContext ctx) {
        JsonNode body = readJson(ctx);
        if (body == null) {
            return;
        }
        BulkActions.Request request;
        try {
            request = BulkActions.Request.parse(body);
        } catch (IllegalArgumentException e) {
            Problem.invalidRequest(e.getMessage()).send(ctx);
            return;
        }
        BulkActions.Job job = bulk.start(request, ctx.request().getHeader("Authorization"));
        ObjectNode answer = job.toJson();
        answer.putObject("links").put("self", "/v1/bulk-actions/" + job.id());
        ctx.response().putHeader("Location", "/v1/bulk-actions/" + job.id());
        json(ctx, 202, answer.toString());
    }

    private void bulkStatus(RoutingContext ctx) {
        Optional<BulkActions.Job> job = bulk.find(ctx.pathParam("bulkId"));
        if (job.isEmpty()) {
            Problem.notFound("no bulk action " + ctx.pathParam("bulkId") + " is known on this instance; bulk actions "
                    + "are kept in memory by the instance that started them, until it restarts").send(ctx);
            return;
        }
        json(ctx, 200, job.get().toJson().toString());
    }

    // ---- forwarding ---------------------------------------------------------------------------------------

    private boolean forwardToOwner(RoutingContext ctx, String txId) {
        return forwarding.forwardToOwner(ctx, txId);
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static String txId(RoutingContext ctx) {
        String txId = ctx.pathParam("txId");
        if (!UUID_TEXT.matcher(txId).matches()) {
            Problem.invalidRequest("'" + txId + "' is not a transaction id; ids are UUIDs as returned by POST /v1/transactions")
                    .send(ctx);
            return null;
        }
        return txId.toLowerCase(Locale.ROOT);
    }

    static JsonNode readJson(RoutingContext ctx) {
        JsonNode node = StrictJson.read(ctx);
        if (node != null && !node.isObject()) {
            Problem.invalidRequest("the body must be a JSON object").send(ctx);
            return null;
        }
        return node;
    }

    /** 410 Gone for a transaction that expired (while its marker is kept), else 404. */
    private void notFound(RoutingContext ctx, String txId) {
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

    static void failed(RoutingContext ctx, Throwable cause, String what) {
        if (cause instanceof EngineNotReadyException e) {
            ctx.response().putHeader("Retry-After", "1");
            Problem.unavailable(e.getMessage()).send(ctx);
        } else if (engineNotRunning(cause)) {
            log.warn("{}: the engine cannot answer: {}", what, cause.toString());
            ctx.response().putHeader("Retry-After", "5");
            Problem.unavailable("the engine cannot answer now (" + cause.getMessage() + "); nothing was changed; "
                    + "retry later, and see /health/ready").send(ctx);
        } else {
            log.error("{} failed", what, cause);
            Problem.internal().send(ctx);
        }
    }

    /** Kafka Streams refusing a store query because it is not running (ERROR, PENDING_SHUTDOWN, ...). */
    static boolean engineNotRunning(Throwable cause) {
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c.getClass().getName().startsWith("org.apache.kafka.streams.errors.")
                    || c instanceof IllegalStateException && String.valueOf(c.getMessage()).contains("KafkaStreams")) {
                return true;
            }
        }
        return false;
    }

    static void json(RoutingContext ctx, int status, String body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }
}
