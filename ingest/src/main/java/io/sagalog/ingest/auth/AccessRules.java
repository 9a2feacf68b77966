package io.sagalog.ingest.auth;

import static io.sagalog.ingest.auth.Role.OPERATOR;
import static io.sagalog.ingest.auth.Role.SUBMITTER;
import static io.sagalog.ingest.auth.Role.VIEWER;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;

/**
 * Who may call what, in one table. Mount it before the APIs: each guard passes the request on only if the token
 * has one of the roles. Not guarded: health probes, {@code /metrics} (scraped by Prometheus), the {@code /console}
 * page itself (its API calls carry the token), and {@code /v1/step-results} (callback tokens of their own).
 */
public final class AccessRules {
    private AccessRules() {}

    public static void mount(Router router, BearerAuth auth) {
        if (!auth.enabled()) {
            return;
        }
        // Clients submit and read back their transactions.
        router.route(HttpMethod.POST, "/v1/transactions").handler(auth.require(SUBMITTER));
        // Lists, counts and bulk progress are for people watching the system.
        router.route(HttpMethod.GET, "/v1/transactions").handler(auth.require(VIEWER, OPERATOR));
        router.route(HttpMethod.GET, "/v1/transactions/counts").handler(auth.require(VIEWER, OPERATOR));
        router.route(HttpMethod.GET, "/v1/bulk-actions/:bulkId").handler(auth.require(VIEWER, OPERATOR));
        router.route(HttpMethod.GET, "/v1/transactions/:txId").handler(auth.require(VIEWER, OPERATOR, SUBMITTER));
        // Acting on transactions, one or many, and changing definitions or participants, is for operators.
        router.route(HttpMethod.POST, "/v1/transactions/actions").handler(auth.require(OPERATOR));
        router.route(HttpMethod.POST, "/v1/transactions/:txId/actions").handler(auth.require(OPERATOR));
        router.route(HttpMethod.PUT, "/v1/definitions/:name").handler(auth.require(OPERATOR));
        router.route(HttpMethod.PUT, "/v1/participants/:name").handler(auth.require(OPERATOR));
        router.route(HttpMethod.GET, "/v1/definitions*").handler(auth.require(VIEWER, OPERATOR, SUBMITTER));
        router.route(HttpMethod.GET, "/v1/participants*").handler(auth.require(VIEWER, OPERATOR, SUBMITTER));
    }
}
