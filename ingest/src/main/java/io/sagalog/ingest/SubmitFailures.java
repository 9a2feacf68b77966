package io.sagalog.ingest;

import io.sagalog.http.Problem;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the submit route answers when one of its handlers fails (the body limit, a body that cannot be read, a bug):
 * problem+json that never claims "nothing was recorded" once the request was appended, and nothing at all to a
 * client that went away.
 */
final class SubmitFailures {
    /** Logs as the submit route, under the name operators configure for it. */
    private static final Logger log = LoggerFactory.getLogger(IngestApi.class);

    private SubmitFailures() {}

    private static boolean clientGone(RoutingContext ctx) {
        for (Throwable t = ctx.failure(); t != null; t = t.getCause()) {
            if (t instanceof io.vertx.core.http.HttpClosedException || t instanceof java.nio.channels.ClosedChannelException) {
                return true;
            }
        }
        return ctx.response().closed();
    }

    /** Failures raised by Vert.x handlers (e.g. the body limit) as problem+json. */
    static void answer(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status == 413) {
            Problem.bodyTooLarge(IngestApi.BODY_LIMIT_BYTES).send(ctx);
        } else if (status == 400) {
            Problem.malformedJson("the request could not be read" + (ctx.failure() == null ? "" : ": " + ctx.failure().getMessage()))
                    .send(ctx);
        } else if (clientGone(ctx)) {
            log.debug("request {} {}: the client went away before it was answered ({})", ctx.request().method(),
                    ctx.request().path(), String.valueOf(ctx.failure()));
        } else if (ctx.get(IngestApi.APPENDED) != null) {
            String txId = ctx.get(IngestApi.APPENDED);
            try (var mdc = io.sagalog.logging.TransactionMdc.of(txId, null, null)) {
                log.error("request {} {} failed after transaction {} was recorded", ctx.request().method(),
                        ctx.request().path(), txId, ctx.failure());
            }
            Problem.of(500, "internal-error", "Internal error", "the request was recorded as transaction " + txId
                    + ", but answering failed; GET /v1/transactions/" + txId + " shows it").send(ctx);
        } else {
            log.error("request {} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
            Problem.internal().send(ctx);
        }
    }

    static boolean answered(RoutingContext ctx) {
        return ctx.response().ended() || ctx.response().headWritten() || ctx.response().closed();
    }

    /** What a submit whose append may have happened says: it is safe to retry with the same key. */
    static String unknownOutcome(String txId, String key, String why) {
        return why + ", so it may or may not have been recorded (as transaction " + txId + "); retry with the same "
                + "Idempotency-Key '" + key + "': a retry of the same request is safe and answers with that transaction";
    }
}
