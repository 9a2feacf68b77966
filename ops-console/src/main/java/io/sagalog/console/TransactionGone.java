package io.sagalog.console;

import io.sagalog.engine.ExpiredTransaction;
import io.sagalog.http.Problem;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** 410 Gone for a transaction that expired: where it went, and when (docs/retention.md). */
final class TransactionGone {
    private TransactionGone() {}

    static void send(RoutingContext ctx, ExpiredTransaction e) {
        Problem.of(410, "transaction-expired", "The transaction expired", "transaction " + e.txId() + " ("
                + e.definition() + ", " + e.status() + ") was archived to the archive topic and deleted from the "
                + "engine's stores at " + e.expiredAt() + " (its retention was over); read it with 'sagalog archive "
                + "export'").send(ctx, Map.of("txId", e.txId(), "expiredAt", e.expiredAt().toString(), "archived", true,
                "status", e.status().name()));
    }
}
