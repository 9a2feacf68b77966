package io.sagalog.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * An error answer of the server, {@code application/problem+json} (RFC 9457).
 *
 * @param type a URI that names the kind of problem for programs, e.g. {@code https://sagalog.io/problems/overloaded}
 * @param title a short summary of the kind
 * @param status the HTTP status
 * @param detail what happened to this request and what to do about it, for people
 * @param instance the path the request was for (null: not given)
 * @param errors one entry per problem found when there are several (e.g. a definition breaking several rules);
 *               empty otherwise
 * @param extensions every other member of the answer (e.g. {@code currentSeq} of a stale action), as JSON
 */
public record Problem(String type, String title, int status, String detail, String instance, List<String> errors,
                      Map<String, JsonNode> extensions) {
    public Problem {
        errors = errors == null ? List.of() : List.copyOf(errors);
        extensions = extensions == null ? Map.of() : Map.copyOf(extensions);
    }

    /**
     * The last segment of {@link #type()}: {@code overloaded}, {@code stale-transaction}, {@code unauthorized},
     * {@code idempotency-key-reused}, ... (the whole type when it has no {@code /}).
     */
    public String slug() {
        return type == null ? "" : type.substring(type.lastIndexOf('/') + 1);
    }
}
