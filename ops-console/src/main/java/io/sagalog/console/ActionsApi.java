package io.sagalog.console;

import static io.sagalog.http.auth.Role.OPERATOR;
import static io.sagalog.http.auth.Role.VIEWER;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.engine.Input;
import io.sagalog.engine.OperatorActions;
import io.sagalog.engine.TransactionQueries;
import io.sagalog.engine.TransactionView;
import io.sagalog.engine.Wire;
import io.sagalog.http.ControlLog;
import io.sagalog.http.JsonAnswers;
import io.sagalog.http.OwnerForwarding;
import io.sagalog.http.Problem;
import io.sagalog.http.ApiDocuments;
import io.sagalog.http.StrictJson;
import io.sagalog.http.auth.BearerAuth;
import io.sagalog.http.auth.DeclaredRoutes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operator actions: one on one transaction ({@code POST /v1/transactions/{txId}/actions}, checked on the owner before
 * it is appended as an {@code OperatorCommand}), and bulk actions that apply one to every transaction a query finds.
 */
final class ActionsApi {
    private static final Logger log = LoggerFactory.getLogger(ActionsApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long BODY_LIMIT_BYTES = 64 * 1024;

    private final Vertx vertx;
    private final TransactionQueries queries;
    private final ControlLog controlLog;
    private final Clock clock;
    private final OwnerForwarding forwarding;
    private final BulkActions bulk;

    ActionsApi(Vertx vertx, TransactionQueries queries, ControlLog controlLog, Clock clock, OwnerForwarding forwarding) {
        this.vertx = vertx;
        this.queries = queries;
        this.controlLog = controlLog;
        this.clock = clock;
        this.forwarding = forwarding;
        this.bulk = new BulkActions(forwarding.client(), () -> queries.self());
    }

    /** Bulk actions: starting one is for operators, watching its progress for anyone who may read. */
    void mountBulk(DeclaredRoutes routes) {
        routes.route(HttpMethod.POST, "/v1/transactions/actions", OPERATOR)
                .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT_BYTES))
                .handler(this::bulkAction).failureHandler(StrictJson.failures(BODY_LIMIT_BYTES));
        routes.route(HttpMethod.GET, "/v1/bulk-actions/:bulkId", VIEWER, OPERATOR).handler(this::bulkStatus);
    }

    /** An action on one transaction: for operators. */
    void mountOne(DeclaredRoutes routes) {
        routes.route(HttpMethod.POST, "/v1/transactions/:txId/actions", OPERATOR)
                .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT_BYTES))
                .handler(this::action).failureHandler(StrictJson.failures(BODY_LIMIT_BYTES));
    }

    private void action(RoutingContext ctx) {
        String txId = QueryApi.txId(ctx);
        if (txId == null) {
            return;
        }
        ActionRequest request = ActionRequest.parse(ctx);
        if (request == null || forwarding.forwardToOwner(ctx, txId)) {
            return;
        }
        String actor = BearerAuth.actor(ctx).orElse("anonymous");
        Input.OperatorCommand command = new Input.OperatorCommand(txId, request.actionId(), request.action(),
                request.step(), request.output(), request.reason(), actor, request.force(), request.expectedSeq());
        vertx.<Optional<TransactionView>>executeBlocking(() -> queries.find(txId), false).onComplete(found -> {
            if (found.failed()) {
                ReadFailures.answer(ctx, found.cause(), "reading transaction " + txId);
                return;
            }
            if (found.result().isEmpty()) {
                QueryApi.notFound(vertx, queries, ctx, txId);
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
            append(ctx, txId, view.state().definition(), actor, command);
        });
    }

    private void append(RoutingContext ctx, String txId, String definition, String actor,
                        Input.OperatorCommand command) {
        Future.fromCompletionStage(controlLog.append(Wire.encode(command, clock.millis())), vertx.getOrCreateContext())
                .onComplete(appended -> {
                    if (appended.failed()) {
                        ctx.response().putHeader("Retry-After", "5");
                        Problem.unavailable("Kafka did not acknowledge the action, so nothing was recorded; retry with "
                                + "the same actionId (" + appended.cause().getClass().getSimpleName() + ")").send(ctx);
                        return;
                    }
                    try (var mdc = io.sagalog.logging.TransactionMdc.of(txId, definition, command.step())) {
                        log.info("operator action {} {} on {} by {}", command.action().wireName(), command.actionId(),
                                txId, actor);
                    }
                    ObjectNode body = JSON.createObjectNode().put("actionId", command.actionId()).put("txId", txId)
                            .put("action", command.action().wireName()).put("status", "accepted");
                    body.putObject("links").put("transaction", "/v1/transactions/" + txId);
                    JsonAnswers.send(ctx, 202, body.toString());
                });
    }

    private void bulkAction(RoutingContext ctx) {
        JsonNode body = StrictJson.readObject(ctx);
        if (body == null || ApiDocuments.refuseUnknownFields(ctx, body)) {
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
        JsonAnswers.send(ctx, 202, answer.toString());
    }

    private void bulkStatus(RoutingContext ctx) {
        Optional<BulkActions.Job> job = bulk.find(ctx.pathParam("bulkId"));
        if (job.isEmpty()) {
            Problem.notFound("no bulk action " + ctx.pathParam("bulkId") + " is known on this instance; bulk actions "
                    + "are kept in memory by the instance that started them, until it restarts").send(ctx);
            return;
        }
        JsonAnswers.send(ctx, 200, job.get().toJson().toString());
    }
}
