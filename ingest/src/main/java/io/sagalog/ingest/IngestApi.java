package io.sagalog.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.TxRequested;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.UUID;
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

    public IngestApi(Vertx vertx, ControlLog controlLog, Supplier<DefinitionCatalog> definitions,
                     Clock clock) {
        this(vertx, controlLog, definitions, clock, null);
    }

    /** @param waits lets {@code POST /v1/transactions?wait=5s} answer once the transaction settled; null: no waits */
    public IngestApi(Vertx vertx, ControlLog controlLog, Supplier<DefinitionCatalog> definitions, Clock clock,
                     TransactionWaits waits) {
        this.waits = waits;
        this.vertx = vertx;
        this.controlLog = controlLog;
        this.definitions = definitions;
        this.clock = clock;
    }

    /** Adds the routes to the router. */
    public void mount(Router router) {
        router.post("/v1/transactions")
                .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT_BYTES))
                .handler(this::requireJson)
                .handler(this::submit)
                .failureHandler(IngestApi::failure);
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
        JsonNode definition = request.get("definition");
        if (definition == null || !definition.isTextual() || definition.asText().isBlank()) {
            Problem.invalidRequest("'definition' is required: the name of the definition to run, e.g. \"trip-booking\"")
                    .send(ctx);
            return;
        }
        DefinitionCatalog catalog = definitions.get();
        if (catalog.latest(definition.asText()).isEmpty()) {
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
        // Time-ordered (TxIds); with a key, derived from it so a repeated request names the same transaction.
        String txId = idempotencyKey == null ? TxIds.next(clock.millis())
                : UUID.nameUUIDFromBytes(("sagalog:" + idempotencyKey).getBytes(StandardCharsets.UTF_8)).toString();
        ControlRecord record = ControlRecord.newBuilder().setTxId(txId).setAtMillis(clock.millis())
                .setBody(TxRequested.newBuilder().setDefinition(definition.asText()).setInput(input.toString())
                        .setIdempotencyKey(idempotencyKey).build())
                .build();
        Context context = vertx.getOrCreateContext();
        // Registered before the append, so the decision that settles it cannot be missed.
        TransactionWaits.Wait settled = wait == null ? null : waits.await(txId, wait);
        Future.fromCompletionStage(controlLog.append(record), context).onComplete(appended -> {
            if (appended.failed()) {
                log.warn("could not append request {} to the control log: {}", txId, appended.cause().toString());
                if (settled != null) {
                    settled.cancel().run();
                }
                ctx.response().putHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
                Problem.unavailable("Kafka did not acknowledge the request, so nothing was recorded; retry after "
                        + RETRY_AFTER_SECONDS + " seconds (" + appended.cause().getClass().getSimpleName() + ")").send(ctx);
                return;
            }
            String self = "/v1/transactions/" + txId;
            if (settled != null) {
                // Answer like GET /v1/transactions/{txId} (from whichever instance holds it) once it settled;
                // when the wait ran out first, with its current state and 202.
                settled.settled().onComplete(s -> ctx.reroute(io.vertx.core.http.HttpMethod.GET,
                        self + (Boolean.TRUE.equals(s.result()) ? "" : "?submitted=pending")));
                return;
            }
            ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json").putHeader("Location", self)
                    .end(JSON.createObjectNode().put("txId", txId).put("status", "PENDING")
                            .set("links", JSON.createObjectNode().put("self", self)).toString());
        });
    }

    /** Failures raised by Vert.x handlers (e.g. the body limit) as problem+json. */
    private static void failure(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status == 413) {
            Problem.bodyTooLarge(BODY_LIMIT_BYTES).send(ctx);
        } else if (status == 400) {
            Problem.malformedJson("the request could not be read" + (ctx.failure() == null ? "" : ": " + ctx.failure().getMessage()))
                    .send(ctx);
        } else {
            log.error("request {} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
            Problem.internal().send(ctx);
        }
    }
}
