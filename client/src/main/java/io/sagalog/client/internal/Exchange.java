package io.sagalog.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.client.ConflictException;
import io.sagalog.client.ForbiddenException;
import io.sagalog.client.NotFoundException;
import io.sagalog.client.OverloadedException;
import io.sagalog.client.Problem;
import io.sagalog.client.ProblemException;
import io.sagalog.client.SagalogException;
import io.sagalog.client.StaleTransactionException;
import io.sagalog.client.UnauthorizedException;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One HTTP call and what its answer means: a 2xx body as JSON, anything else as a {@link ProblemException}. */
public final class Exchange {
    private static final Set<String> PROBLEM_MEMBERS = Set.of("type", "title", "status", "detail", "instance", "errors");
    /** The most of a body that is not problem+json kept in the exception's detail. */
    private static final int DETAIL_LIMIT = 500;

    private Exchange() {}

    /** A successful answer: its status, its JSON body (an empty object when it had none) and its headers. */
    public record Answer(int status, JsonNode body, java.net.http.HttpHeaders headers) {}

    /**
     * Sends the request; a 2xx answer is returned, any other is thrown as a {@link ProblemException} (of the
     * subclass its status and type name).
     *
     * @throws SagalogException when no answer came, or a 2xx answer was not JSON
     */
    public static Answer send(HttpClient http, HttpRequest request) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SagalogException(request.method() + " " + request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SagalogException(request.method() + " " + request.uri() + " was interrupted", e);
        }
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            Duration retryAfter = response.headers().firstValue("Retry-After").map(Exchange::retryAfter).orElse(null);
            throw exception(problem(status, response.body(), request.uri().getPath()), retryAfter);
        }
        String body = response.body();
        try {
            JsonNode json = body == null || body.isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(body);
            return new Answer(status, json, response.headers());
        } catch (IOException e) {
            throw new SagalogException(request.method() + " " + request.uri() + " answered " + status
                    + " with a body that is not JSON: " + clip(body), e);
        }
    }

    /** The problem an error answer describes; a body that is not problem+json (a proxy's page) becomes its detail. */
    public static Problem problem(int status, String body, String path) {
        JsonNode json = null;
        try {
            json = body == null || body.isBlank() ? null : Json.MAPPER.readTree(body);
        } catch (IOException e) {
            // not JSON: described below
        }
        if (!(json instanceof ObjectNode o) || !o.hasNonNull("type") && !o.hasNonNull("title")) {
            return new Problem("about:blank", "HTTP " + status, status,
                    body == null || body.isBlank() ? "the server answered " + status + " without a body" : clip(body),
                    path, List.of(), Map.of());
        }
        List<String> errors = new ArrayList<>();
        o.path("errors").forEach(e -> errors.add(e.isTextual() ? e.asText() : e.toString()));
        Map<String, JsonNode> extensions = new LinkedHashMap<>();
        o.properties().forEach(f -> {
            if (!PROBLEM_MEMBERS.contains(f.getKey())) {
                extensions.put(f.getKey(), f.getValue());
            }
        });
        return new Problem(o.path("type").asText("about:blank"), text(o, "title"), o.path("status").asInt(status),
                text(o, "detail"), text(o, "instance"), errors, extensions);
    }

    /** The exception for a problem: the subclass its status and type name. */
    public static ProblemException exception(Problem p, Duration retryAfter) {
        return switch (p.status()) {
            case 401 -> new UnauthorizedException(p, retryAfter);
            case 403 -> new ForbiddenException(p, retryAfter);
            case 404, 410 -> new NotFoundException(p, retryAfter);
            case 409 -> p.slug().equals("stale-transaction") ? new StaleTransactionException(p, retryAfter)
                    : new ConflictException(p, retryAfter);
            case 503 -> p.slug().equals("overloaded") ? new OverloadedException(p, retryAfter)
                    : new ProblemException(p, retryAfter);
            default -> new ProblemException(p, retryAfter);
        };
    }

    /** {@code Retry-After} in seconds (the form the server sends); an HTTP date or garbage counts as absent. */
    static Duration retryAfter(String value) {
        try {
            long seconds = Long.parseLong(value.trim());
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String text(JsonNode o, String member) {
        JsonNode n = o.get(member);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static String clip(String text) {
        return text == null ? "" : text.length() <= DETAIL_LIMIT ? text : text.substring(0, DETAIL_LIMIT) + "…";
    }
}
