package io.sagalog.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Finds the fields of a JSON value that its JSON Schema does not declare: where an object's schema says
 * {@code "additionalProperties": false}, every name outside its {@code properties} is reported with its path and the
 * nearest declared name ({@code steps[0].retry.maxAttemps: unknown field (did you mean maxAttempts?)}). It follows
 * {@code $ref} within the document, {@code anyOf} alternatives that describe objects, and {@code items}; everything
 * else a schema says is checked by the code that reads the value. Schemas are read as plain JSON, so no schema
 * library is needed where this runs.
 */
public final class SchemaFields {
    /** A field the schema does not declare, at {@code path}, with the message to show. */
    public record Unknown(String path, String message) {}

    private final JsonNode document;

    /** @param document the schema document that {@code $ref}s ({@code #/...}) point into */
    public SchemaFields(JsonNode document) {
        this.document = document;
    }

    /** Every field of {@code value} that {@code schema} (a part of the document) does not declare where it stands. */
    public List<Unknown> unknown(JsonNode schema, JsonNode value) {
        List<Unknown> found = new ArrayList<>();
        walk(schema, value, "", found);
        return found;
    }

    private void walk(JsonNode schema, JsonNode value, String path, List<Unknown> found) {
        if (value == null) {
            return;
        }
        if (value.isArray()) {
            JsonNode items = resolve(schema).get("items");
            for (int i = 0; items != null && i < value.size(); i++) {
                walk(items, value.get(i), path + "[" + i + "]", found);
            }
            return;
        }
        JsonNode object = objectSchema(schema);
        if (!value.isObject() || object == null) {
            return;
        }
        JsonNode properties = object.path("properties");
        boolean closed = object.path("additionalProperties").isBoolean() && !object.get("additionalProperties").asBoolean();
        for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            String at = path.isEmpty() ? shown(field) : path + "." + shown(field);
            if (properties.has(field)) {
                walk(properties.get(field), value.get(field), at, found);
            } else if (closed) {
                found.add(new Unknown(at, at + ": unknown field" + suggestion(field, properties)));
            }
        }
    }

    /** The alternative of {@code schema} that describes an object ({@code $ref} and {@code anyOf} followed), or null. */
    private JsonNode objectSchema(JsonNode schema) {
        JsonNode s = resolve(schema);
        if (s.has("properties")) {
            return s;
        }
        for (JsonNode alternative : s.path("anyOf")) {
            JsonNode found = objectSchema(alternative);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private JsonNode resolve(JsonNode schema) {
        JsonNode s = schema;
        for (int hops = 0; s.has("$ref"); hops++) {
            String ref = s.get("$ref").asText();
            if (!ref.startsWith("#/") || hops > 32) {
                throw new IllegalStateException("a schema may only refer within its document, not to " + ref);
            }
            s = document.at(ref.substring(1));
        }
        return s;
    }

    private static String suggestion(String field, JsonNode properties) {
        List<String> known = new ArrayList<>();
        properties.fieldNames().forEachRemaining(known::add);
        return NearestName.closest(field, known).map(name -> " (did you mean " + name + "?)")
                .orElse(known.isEmpty() ? "; nothing is allowed here" : "; the fields here are " + String.join(", ", known));
    }

    private static String shown(String field) {
        return field.length() <= 100 ? field : field.substring(0, 100) + "...";
    }
}
