package io.sagalog.console;

import io.sagalog.engine.EngineNotReadyException;
import io.sagalog.http.Problem;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a failed read of the engine's stores is answered: 503 with {@code Retry-After} while the engine is not ready or
 * not running (a person can wait and retry), 500 for anything else (a bug, logged with its cause).
 */
final class ReadFailures {
    private static final Logger log = LoggerFactory.getLogger(ReadFailures.class);

    private ReadFailures() {}

    /** Ends the request with the problem for {@code cause}; {@code what} names the read in the log. */
    static void answer(RoutingContext ctx, Throwable cause, String what) {
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
}
