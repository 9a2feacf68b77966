package io.sagalog.client.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The client's own Jackson mapper: answers are read leniently (members added to the server later are ignored, an
 * unknown status reads as UNKNOWN), and timestamps are ISO-8601 instants. It reads {@link Instant} itself rather
 * than needing jackson-datatype-jsr310, so the client's classpath is jackson-databind and nothing else.
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE, true)
            .registerModule(new SimpleModule("sagalog-client-time").addDeserializer(Instant.class, new InstantText()));

    private Json() {}

    /**
     * A submit's input as a JSON object: a {@link JsonNode} as it is, a {@link CharSequence} parsed as JSON text,
     * anything else (a Map, a record, a bean) converted by the mapper.
     *
     * @throws IllegalArgumentException when it is not a JSON object (the server takes objects only)
     */
    public static JsonNode input(Object input) {
        JsonNode node;
        if (input instanceof JsonNode n) {
            node = n;
        } else if (input instanceof CharSequence text) {
            try {
                node = MAPPER.readTree(text.toString());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("the input text is not JSON: " + e.getOriginalMessage(), e);
            }
        } else {
            node = MAPPER.valueToTree(input);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("the input must be a JSON object (use an empty map or \"{}\" when there "
                    + "is nothing to pass), not " + (node == null ? "null" : node.getNodeType()));
        }
        return node;
    }

    /** A JSON answer as the record the API defines for it. */
    public static <T> T convert(JsonNode body, Class<T> type) {
        try {
            return MAPPER.treeToValue(body, type);
        } catch (IOException | IllegalArgumentException e) {
            throw new io.sagalog.client.SagalogException("the answer is not a " + type.getSimpleName()
                    + " as the API defines it: " + e.getMessage(), e);
        }
    }

    /** The body of an operator action; absent members are left out (the server's defaults apply). */
    public static com.fasterxml.jackson.databind.node.ObjectNode action(String action, String reason, String actionId,
            String step, JsonNode output, boolean force, Long expectedSeq) {
        var body = MAPPER.createObjectNode().put("action", action).put("reason", reason).put("actionId", actionId);
        if (step != null) {
            body.put("step", step);
        }
        if (output != null) {
            body.set("output", output);
        }
        if (force) {
            body.put("force", true);
        }
        if (expectedSeq != null) {
            body.put("expectedSeq", expectedSeq);
        }
        return body;
    }

    private static final class InstantText extends JsonDeserializer<Instant> {
        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            String text = p.getValueAsString();
            if (text == null || text.isBlank()) {
                return null;
            }
            try {
                return Instant.parse(text.trim());
            } catch (DateTimeParseException e) {
                return (Instant) ctx.handleWeirdStringValue(Instant.class, text, "not an ISO-8601 instant");
            }
        }
    }
}
