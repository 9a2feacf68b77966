package io.sagalog.console;

import static io.sagalog.ingest.auth.Role.OPERATOR;
import static io.sagalog.ingest.auth.Role.SUBMITTER;
import static io.sagalog.ingest.auth.Role.VIEWER;

import io.sagalog.ingest.auth.DeclaredRoutes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.engine.EngineNotReadyException;
import io.sagalog.engine.Input;
import io.sagalog.engine.OperatorAction;
import io.sagalog.engine.OperatorActions;
import io.sagalog.engine.TransactionPage;
import io.sagalog.engine.TransactionQueries;
import io.sagalog.engine.TransactionQueries.Endpoint;
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
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
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
    private static final Pattern CURSOR = Pattern.compile("[0-9a-f]{16}\\|[0-9A-Za-z-]{1,64}");
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 500;
    private static final long BODY_LIMIT_BYTES = 64 * 1024;

    private final Vertx vertx;
    private final TransactionQueries queries;
    private final ControlLog controlLog;
    private final Clock clock;
    private final WebClient client;
    private final OwnerForwarding forwarding;
    private final BulkActions bulk;
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
    }

    public void mount(Router router) {
        mount(DeclaredRoutes.on(router, io.sagalog.ingest.auth.BearerAuth.disabled()));
    }

    /** Lists, counts and bulk progress are for people watching; acting is for operators; a submitter reads its own. */
    public void mount(DeclaredRoutes routes) {
        routes.route(HttpMethod.GET, "/v1/transactions/counts", VIEWER, OPERATOR).handler(this::counts);
        routes.route(HttpMethod.GET, "/v1/transactions", VIEWER, OPERATOR).handler(this::list);
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

    private static void answer(RoutingContext ctx, String txId, io.vertx.core.AsyncResult<Optional<TransactionView>> found) {
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

    // ---- lists and counts ---------------------------------------------------------------------------------

    private void list(RoutingContext ctx) {
        TxStatus status;
        int limit;
        try {
            String s = ctx.request().getParam("status");
            status = s == null || s.isBlank() ? null : TxStatus.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            Problem.invalidRequest("'status' must be one of " + List.of(TxStatus.values())).send(ctx);
            return;
        }
        try {
            String l = ctx.request().getParam("limit");
            limit = l == null ? DEFAULT_LIMIT : Integer.parseInt(l);
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            Problem.invalidRequest("'limit' must be a number from 1 to " + MAX_LIMIT).send(ctx);
            return;
        }
        String cursor = ctx.request().getParam("cursor");
        if (cursor != null && !CURSOR.matcher(cursor).matches()) {
            Problem.invalidRequest("'cursor' is not one this API handed out; pass 'nextCursor' of the previous page as it was")
                    .send(ctx);
            return;
        }
        String definition = blankToNull(ctx.request().getParam("definition"));
        java.time.Instant createdBefore = null;
        String olderThan = ctx.request().getParam("olderThan");
        if (olderThan != null) {
            try {
                createdBefore = clock.instant().minus(io.sagalog.engine.Durations.parse(olderThan));
            } catch (IllegalArgumentException e) {
                Problem.invalidRequest("'olderThan' must be a duration such as 30s, 10m or 2h (" + e.getMessage() + ")")
                        .send(ctx);
                return;
            }
        }
        java.time.Instant before = createdBefore;
        Future<TransactionPage> local = vertx.executeBlocking(() -> queries.list(status, definition, cursor, before, limit),
                false);
        if (ctx.request().getHeader(FORWARDED) != null) {
            local.onComplete(page -> {
                if (page.failed()) {
                    failed(ctx, page.cause(), "listing transactions");
                } else {
                    json(ctx, 200, pageJson(page.result().items(), page.result().nextCursor(), List.of()).toString());
                }
            });
            return;
        }
        fanOut(ctx, local.map(page -> pageJson(page.items(), page.nextCursor(), List.of()))).onComplete(parts -> {
            if (parts.failed()) {
                failed(ctx, parts.cause(), "listing transactions");
                return;
            }
            List<JsonNode> items = new ArrayList<>();
            boolean more = false;
            for (JsonNode part : parts.result().answers()) {
                part.get("items").forEach(items::add);
                more |= part.hasNonNull("nextCursor");
            }
            items.sort(Comparator.comparing(n -> n.get("cursor").asText()));
            more |= items.size() > limit;
            List<JsonNode> pageItems = items.subList(0, Math.min(limit, items.size()));
            String next = more && !pageItems.isEmpty() ? pageItems.get(pageItems.size() - 1).get("cursor").asText() : null;
            json(ctx, 200, pageJson(pageItems, next, parts.result().unreachable()).toString());
        });
    }

    private static ObjectNode pageJson(List<?> items, String nextCursor, List<String> unreachable) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode array = body.putArray("items");
        for (Object item : items) {
            array.add(item instanceof TransactionPage.Summary s ? TransactionJson.summary(s) : (JsonNode) item);
        }
        body.put("nextCursor", nextCursor);
        if (!unreachable.isEmpty()) {
            unreachable.forEach(body.putArray("unreachable")::add);
        }
        return body;
    }

    private void counts(RoutingContext ctx) {
        Future<List<TransactionPage.Count>> local = vertx.executeBlocking(queries::counts, false);
        Future<JsonNode> localJson = local.map(QueryApi::countsJson);
        if (ctx.request().getHeader(FORWARDED) != null) {
            localJson.onComplete(c -> {
                if (c.failed()) {
                    failed(ctx, c.cause(), "counting transactions");
                } else {
                    json(ctx, 200, c.result().toString());
                }
            });
            return;
        }
        fanOut(ctx, localJson).onComplete(parts -> {
            if (parts.failed()) {
                failed(ctx, parts.cause(), "counting transactions");
                return;
            }
            Map<String, Long> byKey = new TreeMap<>();
            for (JsonNode part : parts.result().answers()) {
                for (JsonNode c : part.get("byDefinition")) {
                    byKey.merge(c.get("definition").asText() + "|" + c.get("status").asText(), c.get("count").asLong(), Long::sum);
                }
            }
            List<TransactionPage.Count> all = new ArrayList<>();
            byKey.forEach((k, v) -> {
                String[] parts2 = k.split("\\|");
                all.add(new TransactionPage.Count(parts2[0], TxStatus.valueOf(parts2[1]), v));
            });
            ObjectNode body = countsJson(all);
            if (!parts.result().unreachable().isEmpty()) {
                parts.result().unreachable().forEach(body.putArray("unreachable")::add);
            }
            json(ctx, 200, body.toString());
        });
    }

    private static ObjectNode countsJson(List<TransactionPage.Count> counts) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode byStatus = body.putObject("byStatus");
        for (TxStatus s : TxStatus.values()) {
            if (s != TxStatus.PENDING) {
                byStatus.put(s.name(), counts.stream().filter(c -> c.status() == s).mapToLong(TransactionPage.Count::count).sum());
            }
        }
        ArrayNode byDefinition = body.putArray("byDefinition");
        counts.forEach(c -> byDefinition.addObject().put("definition", c.definition()).put("status", c.status().name())
                .put("count", c.count()));
        return body;
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

    private record Parts(List<JsonNode> answers, List<String> unreachable) {}

    /** This instance's answer plus every other instance's, asked with the same query; unreachable ones are named. */
    private Future<Parts> fanOut(RoutingContext ctx, Future<? extends JsonNode> local) {
        List<Endpoint> others = new ArrayList<>(queries.instances());
        others.remove(queries.self());
        List<Future<JsonNode>> remote = new ArrayList<>();
        for (Endpoint e : others) {
            HttpRequest<Buffer> r = client.request(HttpMethod.GET, e.port(), e.host(), ctx.request().uri())
                    .putHeader(FORWARDED, queries.self().toString()).timeout(5_000);
            copyHeader(ctx, r, "Authorization");
            remote.add(r.send().map(answer -> {
                if (answer.statusCode() != 200) {
                    throw new IllegalStateException(e + " answered " + answer.statusCode());
                }
                return (JsonNode) parse(answer.bodyAsString());
            }).recover(err -> Future.succeededFuture(null)));
        }
        return local.compose(mine -> Future.join(remote).transform(done -> {
            List<JsonNode> answers = new ArrayList<>();
            answers.add(mine);
            List<String> unreachable = new ArrayList<>();
            for (int i = 0; i < remote.size(); i++) {
                JsonNode answer = remote.get(i).result();
                if (answer == null) {
                    unreachable.add(others.get(i).toString());
                } else {
                    answers.add(answer);
                }
            }
            return Future.succeededFuture(new Parts(answers, unreachable));
        }));
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

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static void copyHeader(RoutingContext ctx, HttpRequest<Buffer> to, String name) {
        String value = ctx.request().getHeader(name);
        if (value != null) {
            to.putHeader(name, value);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static void notFound(RoutingContext ctx, String txId) {
        Problem.notFound("no transaction " + txId + " is known; if it was accepted a moment ago, the engine may not have "
                + "started it yet: retry shortly").send(ctx);
    }

    private static void failed(RoutingContext ctx, Throwable cause, String what) {
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

    private static void json(RoutingContext ctx, int status, String body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }

    /** The body of {@code POST /v1/transactions/{txId}/actions}. */
    record ActionRequest(String actionId, OperatorAction action, String step, String output, String reason,
                         boolean force, Long expectedSeq) {
        /** The longest {@code reason} kept in the history. */
        static final int MAX_REASON_LENGTH = 4096;
        /** The largest {@code output} of a skip, as JSON in UTF-8 (as for a participant's output). */
        static final int MAX_OUTPUT_BYTES = 256 * 1024;

        /** Parses and validates; on a problem sends it and returns null. */
        static ActionRequest parse(RoutingContext ctx) {
            JsonNode body = readJson(ctx);
            if (body == null) {
                return null;
            }
            try {
                return of(body);
            } catch (IllegalArgumentException e) {
                Problem.invalidRequest(e.getMessage()).send(ctx);
                return null;
            }
        }

        static ActionRequest of(JsonNode body) {
            JsonNode action = body.get("action");
            if (action == null || !action.isTextual()) {
                throw new IllegalArgumentException("'action' is required: one of retry, skip, rollback, resume, resolve");
            }
            OperatorAction parsed;
            try {
                parsed = OperatorAction.parse(action.asText());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("'action' must be one of retry, skip, rollback, resume, resolve");
            }
            JsonNode reason = body.get("reason");
            if (reason == null || !reason.isTextual() || reason.asText().isBlank()) {
                throw new IllegalArgumentException("'reason' is required: say why, in words; it is kept in the history");
            }
            if (reason.asText().length() > MAX_REASON_LENGTH) {
                throw new IllegalArgumentException("'reason' has " + reason.asText().length() + " characters; at most "
                        + MAX_REASON_LENGTH + " are allowed");
            }
            JsonNode step = body.get("step");
            if (step != null && !step.isNull() && (!step.isTextual() || step.asText().length() > 100)) {
                throw new IllegalArgumentException("'step' must be a step name (1 to 100 characters)");
            }
            JsonNode output = body.get("output");
            if (output != null && !output.isNull() && parsed != OperatorAction.SKIP) {
                throw new IllegalArgumentException("'output' is only for skip");
            }
            if (output != null && !output.isNull()
                    && output.toString().getBytes(StandardCharsets.UTF_8).length > MAX_OUTPUT_BYTES) {
                throw new IllegalArgumentException("'output' is larger than " + MAX_OUTPUT_BYTES
                        + " bytes as JSON; at most " + MAX_OUTPUT_BYTES + " are allowed");
            }
            JsonNode expectedSeq = body.get("expectedSeq");
            if (expectedSeq != null && !expectedSeq.isNull() && (!expectedSeq.isIntegralNumber()
                    || !expectedSeq.canConvertToLong() || expectedSeq.asLong() < 0)) {
                throw new IllegalArgumentException("'expectedSeq' must be a whole number of 0 or more: the seq of the "
                        + "newest history event you saw");
            }
            JsonNode force = body.get("force");
            if (force != null && !force.isNull() && !force.isBoolean()) {
                throw new IllegalArgumentException("'force' must be true or false");
            }
            JsonNode actionId = body.get("actionId");
            if (actionId != null && !actionId.isNull() && (!actionId.isTextual() || actionId.asText().isBlank()
                    || actionId.asText().length() > 100)) {
                throw new IllegalArgumentException("'actionId' must be text of 1 to 100 characters (e.g. a UUID)");
            }
            return new ActionRequest(
                    actionId == null || actionId.isNull() ? UUID.randomUUID().toString() : actionId.asText(),
                    parsed, step == null || step.isNull() ? null : step.asText(),
                    output == null || output.isNull() ? null : output.toString(), reason.asText().strip(),
                    force != null && force.asBoolean(),
                    expectedSeq == null || expectedSeq.isNull() ? null : expectedSeq.asLong());
        }
    }
}
