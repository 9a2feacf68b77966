package io.sagalog.ingest;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.http.ApiDocuments;
import io.sagalog.http.ControlLog;
import io.sagalog.http.Problem;
import io.sagalog.http.StrictJson;
import io.sagalog.http.TransactionWaits;
import io.sagalog.http.auth.BearerAuth;
import io.sagalog.http.auth.DeclaredRoutes;
import io.sagalog.http.auth.Role;
import io.sagalog.schemas.avro.ControlRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.sagalog.engine.TransactionQueries;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client API: {@code POST /v1/transactions} appends a request to the control log and answers {@code 202}
 * only once the broker acknowledged it (reads are the console module's QueryApi). Handlers never block: appends
 * complete asynchronously.
 */
public final class IngestApi {
    private static final Logger log = LoggerFactory.getLogger(IngestApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Requests larger than this are refused before they are read in full. */
    public static final long BODY_LIMIT_BYTES = 1024 * 1024;
    private static final int RETRY_AFTER_SECONDS = 5;

    private final Vertx vertx;
    private final ControlLog controlLog;
    private final Supplier<DefinitionCatalog> definitions;
    private final Clock clock;
    private final TransactionWaits waits;
    private final IdempotencyKeys keys;
    private final Admission admission;
    private final Duration submitTimeout;
    private final Supplier<java.util.concurrent.CompletionStage<Void>> registryReadToEnd; // null: no catching up
    /** How long a submit naming an unknown definition waits for the registry to catch up before its 422. */
    static final Duration UNKNOWN_DEFINITION_WAIT = Duration.ofSeconds(2);
    private static final String CAUGHT_UP = "sagalog.registryCaughtUp";

    /** Without waits, Idempotency-Key look-ups or admission (tests, a lone ingest). */
    public IngestApi(Vertx vertx, ControlLog controlLog, Supplier<DefinitionCatalog> definitions, Clock clock) {
        this(vertx, controlLog, definitions, clock, null, null, Admission.always(), DEFAULT_REQUEST_TIMEOUT);
    }

    /**
     * @param waits lets {@code POST /v1/transactions?wait=5s} answer once the transaction settled; null: no waits
     * @param queries where a client's Idempotency-Key is looked up before appending (the owner of its txId is asked);
     *                null: no look-up (a reuse with another body is not detected)
     * @param admission asked before each append (e.g. {@link LagAdmission}); refused submits answer 503
     * @param requestTimeout every submit is answered within this
     */
    public IngestApi(Vertx vertx, ControlLog controlLog, Supplier<DefinitionCatalog> definitions, Clock clock,
                     TransactionWaits waits, TransactionQueries queries, Admission admission, Duration requestTimeout) {
        this(vertx, controlLog, definitions, clock, waits, queries, admission, requestTimeout, null);
    }

    /** @param registryReadToEnd {@code Registry::readToEnd}: a submit naming an unknown definition waits for it first. */
    public IngestApi(Vertx vertx, ControlLog controlLog, Supplier<DefinitionCatalog> definitions, Clock clock,
                     TransactionWaits waits, TransactionQueries queries, Admission admission, Duration requestTimeout,
                     Supplier<java.util.concurrent.CompletionStage<Void>> registryReadToEnd) {
        this.registryReadToEnd = registryReadToEnd;
        this.waits = waits;
        this.vertx = vertx;
        this.controlLog = controlLog;
        this.definitions = definitions;
        this.clock = clock;
        this.keys = new IdempotencyKeys(vertx, clock, queries);
        this.admission = admission;
        // Answer a little before the HTTP front's own request timeout, so the submit says what it knows.
        this.submitTimeout = Duration.ofMillis(Math.max(100, requestTimeout.toMillis() - 300));
    }

    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Routing-context key: the txId this request appended (so a later failure does not claim nothing was recorded). */
    public static final String APPENDED = "sagalog.appended";

    /** Adds the routes to a router of their own, without authentication (tests, a lone ingest). */
    public void mount(Router router) {
        mount(DeclaredRoutes.on(router, BearerAuth.disabled()));
    }

    /** Adds the routes, each with the roles that may call it. */
    public void mount(DeclaredRoutes routes) {
        routes.route(io.vertx.core.http.HttpMethod.POST, "/v1/transactions", Role.SUBMITTER)
                .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT_BYTES))
                .handler(this::requireJson)
                .handler(this::submit)
                .failureHandler(SubmitFailures::answer);
    }

    private void requireJson(RoutingContext ctx) {
        Problem unsupported = StrictJson.contentTypeProblem(ctx.request().getHeader("Content-Type"));
        if (unsupported != null) {
            unsupported.send(ctx);
            return;
        }
        ctx.next();
    }

    private void submit(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        JsonNode request;
        try {
            request = StrictJson.parse(body == null ? new byte[0] : body.getBytes());
        } catch (StrictJson.Rejected e) {
            e.problem().send(ctx);
            return;
        }
        if (request == null || request.isMissingNode()) {
            Problem.malformedJson("the body is empty; send {\"definition\": \"...\", \"input\": {...}}").send(ctx);
            return;
        }
        if (!request.isObject()) {
            Problem.invalidRequest("the body must be a JSON object {\"definition\": \"...\", \"input\": {...}}").send(ctx);
            return;
        }
        if (ApiDocuments.refuseUnknownFields(ctx, request)) {
            return;
        }
        JsonNode definition = request.get("definition");
        if (definition == null || !definition.isTextual() || definition.asText().isBlank()) {
            Problem.invalidRequest("'definition' is required: the name of the definition to run, e.g. \"trip-booking\"")
                    .send(ctx);
            return;
        }
        DefinitionCatalog catalog = definitions.get();
        java.util.Optional<io.sagalog.engine.Definition> latest = catalog.latest(definition.asText());
        if (latest.isEmpty() && registryReadToEnd != null && ctx.get(CAUGHT_UP) == null) {
            ctx.put(CAUGHT_UP, true);
            io.vertx.core.Context context = vertx.getOrCreateContext();
            registryReadToEnd.get().toCompletableFuture().orTimeout(UNKNOWN_DEFINITION_WAIT.toMillis(), MILLISECONDS)
                    .whenComplete((read, error) -> context.runOnContext(v -> submit(ctx))); // then the catalog answers
            return;
        }
        if (latest.isEmpty()) {
            Problem.unknownDefinition(definition.asText(), catalog.names()).send(ctx);
            return;
        }
        JsonNode input = request.get("input");
        if (input == null || !input.isObject()) {
            Problem.invalidRequest("'input' is required and must be a JSON object (use {} when there is nothing to pass)")
                    .send(ctx);
            return;
        }
        String idempotencyKey = ctx.request().getHeader("Idempotency-Key");
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            Problem.invalidRequest("the Idempotency-Key header must have 1 to 255 characters").send(ctx);
            return;
        }
        java.time.Duration wait = TransactionWaits.waitParam(ctx, waits);
        if (wait == TransactionWaits.INVALID) {
            return;
        }
        String refusal = admission.refusal(latest.get());
        if (refusal != null) {
            ctx.response().putHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            Problem.overloaded(refusal).send(ctx);
            return;
        }
        boolean clientKey = idempotencyKey != null;
        String txId = keys.txIdOf(definition.asText(), idempotencyKey);
        String key = clientKey ? idempotencyKey : IdempotencyKeys.SERVER_KEY_PREFIX + txId;
        ctx.response().putHeader("Idempotency-Key", key);
        if (!clientKey || !keys.canLookUp()) {
            append(ctx, txId, key, definition.asText(), input, wait);
            return;
        }
        // A client's key may have been used before: the same request gets its transaction back, another is refused.
        keys.prior(ctx, txId).onComplete(found -> {
            if (found.failed()) {
                try (var mdc = io.sagalog.logging.TransactionMdc.of(txId, definition.asText(), null)) {
                    log.debug("could not look up Idempotency-Key {} (transaction {}): {}", key, txId, found.cause().toString());
                }
                ctx.response().putHeader("Retry-After", "1");
                Problem.unavailable("could not check whether Idempotency-Key '" + key + "' was used before ("
                        + found.cause().getMessage() + "); nothing was recorded; retry shortly").send(ctx);
                return;
            }
            if (found.result().isEmpty()) {
                append(ctx, txId, key, definition.asText(), input, wait);
                return;
            }
            IdempotencyKeys.Prior prior = found.result().get();
            if (!prior.definition().equals(definition.asText()) || !input.equals(prior.input())) {
                Problem.idempotencyKeyReused(key, txId).send(ctx);
                return;
            }
            accepted(ctx, txId, prior.status(), wait, null);
        });
    }

    private void append(RoutingContext ctx, String txId, String key, String definition, JsonNode input,
                        java.time.Duration wait) {
        ControlRecord record = io.sagalog.engine.Wire.encode(
                new io.sagalog.engine.Input.TxRequested(txId, definition, input.toString(), key), clock.millis());
        Context context = vertx.getOrCreateContext();
        // Registered before the append, so the decision that settles it cannot be missed.
        TransactionWaits.Wait settled = wait == null ? null : waits.await(txId, wait);
        java.util.concurrent.CompletionStage<Void> appending;
        try {
            // The request's trace context (or a new trace) rides with it: the engine's spans join that trace.
            appending = controlLog.append(record, io.sagalog.tracing.SagaSpanIds.ofRequest(
                    ctx.request().getHeader(io.sagalog.tracing.TraceParent.HEADER), txId));
        } catch (RuntimeException e) {
            appending = java.util.concurrent.CompletableFuture.failedFuture(new NotRecordedException(e.toString(), e));
        }
        java.util.concurrent.CompletionStage<Void> stage = appending;
        // Every submit is answered in time: still queued here, it is withdrawn (nothing recorded); already with
        // Kafka, the outcome is unknown and the answer says so.
        long timer = vertx.setTimer(submitTimeout.toMillis(), id -> {
            if (SubmitFailures.answered(ctx)) {
                return;
            }
            if (stage instanceof PendingAppend pending && pending.withdraw("not handed to Kafka within "
                    + submitTimeout.toMillis() + " ms")) {
                return; // failed with NotRecordedException: answered below, "nothing was recorded"
            }
            if (stage instanceof java.util.concurrent.CompletableFuture<?> f && f.isDone()) {
                return; // the outcome is known and on its way to the handler below
            }
            if (settled != null) {
                settled.cancel().run();
            }
            ctx.response().putHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            try (var mdc = io.sagalog.logging.TransactionMdc.of(txId, definition, null)) {
                log.warn("request {} was sent to Kafka but not acknowledged within {} ms; outcome unknown", txId,
                        submitTimeout.toMillis());
            }
            Problem.outcomeUnknown(SubmitFailures.unknownOutcome(txId, key, "Kafka did not acknowledge it within "
                    + submitTimeout.toMillis() + " ms")).send(ctx);
        });
        Future.fromCompletionStage(stage, context).onComplete(appended -> {
            vertx.cancelTimer(timer);
            if (SubmitFailures.answered(ctx)) {
                return; // answered by the timer: the client was told the outcome was unknown
            }
            if (appended.failed()) {
                if (settled != null) {
                    settled.cancel().run();
                }
                Throwable cause = appended.cause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                        ? c.getCause() : appended.cause();
                ctx.response().putHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
                if (cause instanceof NotRecordedException) {
                    try (var mdc = io.sagalog.logging.TransactionMdc.of(txId, definition, null)) {
                        log.warn("did not append request {} to the control log: {}", txId, cause.getMessage());
                    }
                    Problem.unavailable("Kafka did not take the request, so nothing was recorded (" + cause.getMessage()
                            + "); retry after " + RETRY_AFTER_SECONDS + " seconds").send(ctx);
                } else {
                    try (var mdc = io.sagalog.logging.TransactionMdc.of(txId, definition, null)) {
                        log.warn("append of request {} failed after it was sent: {}", txId, cause.toString());
                    }
                    Problem.outcomeUnknown(SubmitFailures.unknownOutcome(txId, key, cause instanceof KafkaStalledException
                            ? "the request was sent, but " + cause.getMessage()
                            : "Kafka reported " + cause.getClass().getSimpleName() + " after the request was sent"))
                            .send(ctx);
                }
                return;
            }
            ctx.put(APPENDED, txId);
            accepted(ctx, txId, "PENDING", wait, settled);
        });
    }

    /** 202 with the state so far, or, with {@code ?wait}, the answer of GET /v1/transactions/{txId} once settled. */
    private void accepted(RoutingContext ctx, String txId, String status, java.time.Duration wait,
                          TransactionWaits.Wait registered) {
        String self = "/v1/transactions/" + txId;
        TransactionWaits.Wait settled = registered != null || wait == null ? registered : waits.await(txId, wait);
        if (settled != null) {
            // Answer like GET /v1/transactions/{txId} (from whichever instance holds it) once it settled;
            // when the wait ran out first, with its current state and 202 (never a 404 or 503: it was recorded).
            settled.settled().onComplete(s -> ctx.reroute(io.vertx.core.http.HttpMethod.GET,
                    self + (Boolean.TRUE.equals(s.result()) ? "" : "?submitted=pending")));
            return;
        }
        ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json").putHeader("Location", self)
                .end(JSON.createObjectNode().put("txId", txId).put("status", status)
                        .set("links", JSON.createObjectNode().put("self", self)).toString());
    }
}
