package io.sagalog.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.engine.CallbackTokens;
import io.sagalog.engine.EngineNotReadyException;
import io.sagalog.engine.Timer;
import io.sagalog.engine.TransactionQueries;
import io.sagalog.engine.TransactionView;
import io.sagalog.http.ControlLog;
import io.sagalog.http.OwnerForwarding;
import io.sagalog.http.Problem;
import io.sagalog.http.ApiDocuments;
import io.sagalog.http.StrictJson;
import io.sagalog.http.auth.BearerAuth;
import io.sagalog.http.auth.DeclaredRoutes;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.engine.Outcome;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code POST /v1/step-results}: an asynchronous participant (one that answered {@code 202}) reports its result
 * with the callback token it was given. A forged or altered token is refused (403); a token whose attempt is no
 * longer outstanding, or that was used already, is refused (409). Either way nothing is recorded.
 */
public final class StepResultsApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REMEMBERED_TOKENS = 100_000;
    /** The largest {@code output} a participant may report: it is kept in the transaction's state and context. */
    public static final int MAX_OUTPUT_BYTES = 256 * 1024;
    /** The largest {@code error} text a participant may report. */
    public static final int MAX_ERROR_BYTES = 4 * 1024;
    private static final Set<Outcome> REPORTABLE = java.util.EnumSet.of(Outcome.SUCCEEDED, Outcome.FAILED_TRANSIENT,
            Outcome.FAILED_PERMANENT);

    private final Vertx vertx;
    private final ControlLog controlLog;
    private final TransactionQueries queries;
    private final OwnerForwarding forwarding;
    private final CallbackTokens tokens;
    private final Clock clock;
    /** Tokens used through this instance, newest last; the engine's deduplication covers the rest. */
    private final Set<String> used = Collections.newSetFromMap(Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_TOKENS;
        }
    }));

    public StepResultsApi(Vertx vertx, ControlLog controlLog, TransactionQueries queries, CallbackTokens tokens,
                          Clock clock) {
        this.vertx = vertx;
        this.controlLog = controlLog;
        this.queries = queries;
        this.forwarding = new OwnerForwarding(vertx, queries);
        this.tokens = tokens;
        this.clock = clock;
    }

    public void mount(Router router) {
        mount(DeclaredRoutes.on(router, BearerAuth.disabled()));
    }

    /** Open to callers without a bearer token: each result carries a callback token of its own, checked here. */
    public void mount(DeclaredRoutes routes) {
        routes.open(io.vertx.core.http.HttpMethod.POST, "/v1/step-results", "each result carries its step's callback "
                + "token").handler(BodyHandler.create(false).setBodyLimit(IngestApi.BODY_LIMIT_BYTES))
                .handler(this::report).failureHandler(StrictJson.failures(IngestApi.BODY_LIMIT_BYTES));
    }

    private void report(RoutingContext ctx) {
        JsonNode body = StrictJson.read(ctx);
        if (body == null) {
            return;
        }
        if (!body.isObject()) {
            Problem.invalidRequest("send {\"token\": \"...\", \"outcome\": \"succeeded|failed_transient|failed_permanent\", "
                    + "\"output\": {...}, \"error\": \"...\"}").send(ctx);
            return;
        }
        if (ApiDocuments.refuseUnknownFields(ctx, body)) {
            return;
        }
        String token = body.path("token").asText(null);
        Optional<CallbackTokens.Claims> claims = tokens.verify(token);
        if (claims.isEmpty()) {
            Problem.of(403, "invalid-callback-token", "The callback token is not valid",
                    "use the token from the request's callback.token exactly as given; this one was not issued by "
                            + "Sagalog or was altered; nothing was recorded").send(ctx);
            return;
        }
        Outcome outcome;
        try {
            outcome = Outcome.valueOf(body.path("outcome").asText("").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            outcome = null;
        }
        if (!body.path("outcome").isTextual() || !REPORTABLE.contains(outcome)) {
            Problem.invalidRequest("'outcome' must be succeeded, failed_transient or failed_permanent").send(ctx);
            return;
        }
        JsonNode outputNode = body.get("output");
        String output = outputNode != null && !outputNode.isNull() ? outputNode.toString() : null;
        int outputBytes = output == null ? 0 : output.getBytes(StandardCharsets.UTF_8).length;
        if (outputBytes > MAX_OUTPUT_BYTES) {
            Problem.valueTooLarge("output", outputBytes, MAX_OUTPUT_BYTES, "bytes (as JSON in UTF-8)").send(ctx);
            return;
        }
        JsonNode errorNode = body.get("error");
        if (errorNode != null && !errorNode.isNull() && !errorNode.isTextual()) {
            Problem.invalidRequest("'error' must be text: what went wrong, in words (at most " + MAX_ERROR_BYTES
                    + " bytes)").send(ctx);
            return;
        }
        String error = errorNode == null || errorNode.isNull() ? null : errorNode.textValue();
        int errorBytes = error == null ? 0 : error.getBytes(StandardCharsets.UTF_8).length;
        if (errorBytes > MAX_ERROR_BYTES) {
            Problem.valueTooLarge("error", errorBytes, MAX_ERROR_BYTES, "bytes (in UTF-8)").send(ctx);
            return;
        }
        Outcome reported = outcome;
        if (used.contains(token)) {
            alreadyUsed(ctx);
            return;
        }
        CallbackTokens.Claims c = claims.get();
        // Whether the attempt is still awaited is known to the instance holding the transaction.
        if (forwarding.forwardToOwner(ctx, c.txId())) {
            return;
        }
        vertx.<Optional<TransactionView>>executeBlocking(() -> queries.find(c.txId()), false).onComplete(found -> {
            if (found.failed()) {
                ctx.response().putHeader("Retry-After", "1");
                Problem.unavailable(found.cause() instanceof EngineNotReadyException e ? e.getMessage()
                        : "the engine could not be asked; retry shortly").send(ctx);
                return;
            }
            boolean outstanding = found.result().map(v -> v.state().timers().stream().anyMatch(t ->
                    t.kind() == Timer.Kind.STEP_TIMEOUT && t.step().equals(c.step()) && t.attempt() == c.attempt()
                            && t.phase() == c.phase())).orElse(false);
            if (!outstanding || !used.add(token)) {
                alreadyUsed(ctx);
                return;
            }
            ControlRecord record = io.sagalog.engine.Wire.encode(new io.sagalog.engine.Input.StepResult(c.txId(),
                    c.step(), c.attempt(), c.phase(), reported, output, error), clock.millis());
            // A participant that sends its traceparent back (the attempt's, as it received it) has it on the record.
            Future.fromCompletionStage(controlLog.append(record, io.sagalog.tracing.TraceParent.parse(
                    ctx.request().getHeader(io.sagalog.tracing.TraceParent.HEADER)).orElse(null)),
                    vertx.getOrCreateContext()).onComplete(appended -> {
                if (appended.failed()) {
                    used.remove(token);
                    ctx.response().putHeader("Retry-After", "5");
                    Problem.unavailable("Kafka did not acknowledge the result, so nothing was recorded; retry after 5 seconds")
                            .send(ctx);
                    return;
                }
                ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json")
                        .end(JSON.createObjectNode().put("txId", c.txId()).put("step", c.step())
                                .put("attempt", c.attempt()).put("status", "ACCEPTED").toString());
            });
        });
    }

    private static void alreadyUsed(RoutingContext ctx) {
        Problem.of(409, "callback-token-used", "The attempt is no longer waiting for a result",
                "this token's attempt was already answered, timed out, or its transaction moved on; a token works once; "
                        + "nothing was recorded").send(ctx);
    }
}
