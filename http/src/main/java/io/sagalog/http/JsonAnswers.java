package io.sagalog.http;

import io.vertx.ext.web.RoutingContext;

/** Successful answers of the HTTP fronts: a JSON body with its status (errors are {@link Problem}s). */
public final class JsonAnswers {
    public static final String CONTENT_TYPE = "application/json";

    private JsonAnswers() {}

    /** Ends the request with {@code body}, a JSON document, and {@code status}. */
    public static void send(RoutingContext ctx, int status, String body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", CONTENT_TYPE).end(body);
    }
}
