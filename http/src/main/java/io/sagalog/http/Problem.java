package io.sagalog.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * An HTTP error as {@code application/problem+json} (RFC 9457): a stable {@code type} for programs, a
 * {@code title}, and a {@code detail} that tells a person what to do about it. Built by named factories.
 */
public record Problem(int status, String slug, String title, String detail, List<String> errors) {
    public static final String CONTENT_TYPE = "application/problem+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public static Problem of(int status, String slug, String title, String detail) {
        return new Problem(status, slug, title, detail, List.of());
    }

    /** 400 from the HTTP layer: the request could not be parsed (before any route saw it). */
    public static Problem badRequest(String detail) {
        return of(400, "bad-request", "The request is not valid HTTP", detail);
    }

    public static Problem uriTooLong(int limit) {
        return of(414, "uri-too-long", "The request line is too long",
                "the request line (method, path and query) may be at most " + limit + " bytes");
    }

    public static Problem headersTooLarge(int limit) {
        return of(431, "headers-too-large", "The request headers are too large",
                "the headers of a request may be at most " + limit + " bytes together");
    }

    /** 408: the body did not arrive in time (e.g. a Content-Length larger than what was sent). */
    public static Problem bodyTimeout(long seconds) {
        return of(408, "request-timeout", "The request did not arrive in time",
                "the request body did not arrive within " + seconds + " s (does Content-Length match the body?); "
                        + "nothing was recorded");
    }

    /** 503 because this node is too busy; nothing was recorded. */
    public static Problem overloaded(String detail) {
        return of(503, "overloaded", "Too busy, retry later", detail);
    }

    /** 503 when a submit was handed to Kafka but no answer came: it may or may not have been recorded. */
    public static Problem outcomeUnknown(String detail) {
        return of(503, "outcome-unknown", "The outcome is unknown", detail);
    }

    public static Problem idempotencyKeyReused(String key, String txId) {
        return of(422, "idempotency-key-reused", "The Idempotency-Key was used for another request",
                "Idempotency-Key '" + key + "' already names transaction " + txId + " of this definition with another "
                        + "input; use a new key for a new request, or send the same body to get that transaction back");
    }

    public static Problem malformedJson(String why) {
        return of(400, "malformed-json", "The body is not valid JSON", why);
    }

    public static Problem invalidRequest(String detail) {
        return of(422, "invalid-request", "The request is missing something or has a wrong value", detail);
    }

    /** Fields a request body may not have (422), each with its path and the nearest field it may have. */
    public static Problem unknownFields(List<String> problems) {
        return new Problem(422, "invalid-request", "The request has fields this endpoint does not take",
                String.join("; ", problems), List.copyOf(problems));
    }

    public static Problem unknownDefinition(String name, java.util.Collection<String> known) {
        return of(422, "unknown-definition", "No such definition",
                "there is no definition named '" + name + "'; known definitions: " + String.join(", ", known));
    }

    public static Problem invalidDefinition(List<String> problems) {
        return new Problem(422, "invalid-definition", "The definition breaks " + problems.size()
                + (problems.size() == 1 ? " rule" : " rules"), String.join("; ", problems), List.copyOf(problems));
    }

    public static Problem invalidParticipant(List<String> problems) {
        return new Problem(422, "invalid-participant", "The participant registration is not valid",
                String.join("; ", problems), List.copyOf(problems));
    }

    public static Problem unsupportedMediaType(String got) {
        return of(415, "unsupported-media-type", "The body must be JSON",
                "send the body with 'Content-Type: application/json' (got " + (got == null ? "none" : "'" + got + "'") + ")");
    }

    public static Problem bodyTooLarge(long limit) {
        return of(413, "body-too-large", "The body is too large",
                "a request body may be at most " + limit + " bytes; keep large documents elsewhere and pass a reference");
    }

    /** No usable credentials (401); the caller should also set {@code WWW-Authenticate}. */
    public static Problem unauthorized(String detail) {
        return of(401, "unauthorized", "A valid bearer token is needed", detail);
    }

    /** Known caller, but its roles do not allow this request (403). */
    public static Problem forbidden(String detail) {
        return of(403, "forbidden", "The token does not have the role this needs", detail);
    }

    public static Problem notFound(String detail) {
        return of(404, "not-found", "Not found", detail);
    }

    public static Problem methodNotAllowed(String method, String path) {
        return of(405, "method-not-allowed", "Method not allowed", method + " is not supported on " + path);
    }

    public static Problem unavailable(String detail) {
        return of(503, "unavailable", "Service unavailable", detail);
    }

    public static Problem internal() {
        return of(500, "internal-error", "Internal error",
                "the server failed to handle this request; nothing was recorded; the error is in the server log");
    }

    public String toJson(String instance) {
        ObjectNode body = JSON.createObjectNode()
                .put("type", "https://sagalog.io/problems/" + slug)
                .put("title", title)
                .put("status", status)
                .put("detail", detail);
        if (instance != null) {
            body.put("instance", instance);
        }
        if (!errors.isEmpty()) {
            errors.forEach(body.putArray("errors")::add);
        }
        return body.toString();
    }

    /** Ends the request with this problem. */
    public void send(RoutingContext ctx) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", CONTENT_TYPE).end(toJson(ctx.request().path()));
    }

    // ---- strict input (issue 14) ----------------------------------------------------------------------------

    /** A JSON body in another charset than UTF-8 (415). */
    public static Problem unsupportedCharset(String got) {
        return of(415, "unsupported-media-type", "The body must be JSON in UTF-8",
                "send the body with 'Content-Type: application/json' and no charset or charset=utf-8 (got '" + got + "')");
    }

    /** A JSON body that breaks one of the reader's limits (400), at a JSON pointer. */
    public static Problem jsonLimit(String pointer, String what) {
        return of(400, "json-limit", "The body breaks a limit of the JSON reader", "at " + pointer + ": " + what);
    }

    /** A JSON value that is well formed but cannot be kept as sent (422), at a JSON pointer. */
    public static Problem jsonValueOutOfRange(String pointer, String what) {
        return of(422, "value-out-of-range", "A value is out of range", "at " + pointer + ": " + what);
    }

    /** A value too large for where it goes (422), naming the field and the limit. */
    public static Problem valueTooLarge(String field, long size, long limit, String unit) {
        return of(422, "value-too-large", "A value is too large",
                "'" + field + "' has " + size + " " + unit + "; at most " + limit + " " + unit + " are allowed");
    }

    /** An operator action with an {@code expectedSeq} the transaction has moved past (409); see {@link #send(RoutingContext, java.util.Map)}. */
    public static Problem staleTransaction(String detail) {
        return of(409, "stale-transaction", "The transaction has moved on since you looked", detail);
    }

    /** A name that collides with one already in use (409), a permanent conflict: retrying does not help. */
    public static Problem nameConflict(String detail) {
        return of(409, "name-conflict", "The name collides with one in use", detail);
    }

    /** Ends the request with this problem and extra members (e.g. {@code currentSeq}) in its body. */
    public void send(RoutingContext ctx, java.util.Map<String, Object> extensions) {
        if (ctx.response().ended()) {
            return;
        }
        ObjectNode body;
        try {
            body = (ObjectNode) JSON.readTree(toJson(ctx.request().path()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        extensions.forEach((k, v) -> body.set(k, JSON.valueToTree(v)));
        ctx.response().setStatusCode(status).putHeader("Content-Type", CONTENT_TYPE).end(body.toString());
    }
}
