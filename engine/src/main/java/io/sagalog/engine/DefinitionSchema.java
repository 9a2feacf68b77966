package io.sagalog.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The JSON Schema of a definition ({@code definition.schema.json} beside this class), served as
 * {@code GET /v1/schemas/definition.json} and enforced where a definition is registered or loaded from a file: a field
 * the schema does not declare is refused, naming its path and the nearest declared name
 * ({@code steps[0].retry.maxAttemps: unknown field (did you mean maxAttempts?)}), where it used to be ignored and its
 * default used. The rules between fields and the ranges stay in {@link DefinitionParser}, which the schema describes;
 * together they report every problem once. Checking the fields against the schema's own {@code properties} keeps one
 * source of truth without a schema library on the engine's class path.
 */
public final class DefinitionSchema {
    public static final String RESOURCE = "definition.schema.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** "steps[2] (pay).retry: ..." -> "steps[2].retry", to compare the parser's paths with this schema's. */
    private static final Pattern STEP_NAME = Pattern.compile(" \\([^)]*\\)");
    private static final String TEXT = load();
    private static final JsonNode SCHEMA = tree(TEXT);

    private DefinitionSchema() {}

    /** The schema as served. */
    public static String text() {
        return TEXT;
    }

    /**
     * Reads a definition as registration does: the fields the schema declares and every rule of the parser, each
     * problem reported once.
     */
    public static Definition parse(String json, int version) throws InvalidDefinitionException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidDefinitionException(List.of("not valid JSON: " + e.getOriginalMessage()));
        }
        List<Unknown> unknown = unknownFields(root);
        Definition definition = null;
        List<String> rules = List.of();
        try {
            definition = DefinitionParser.parse(root, version);
        } catch (InvalidDefinitionException e) {
            rules = e.problems();
        }
        if (definition != null && unknown.isEmpty()) {
            return definition;
        }
        List<String> problems = new ArrayList<>(unknown.stream().map(Unknown::message).toList());
        Set<String> paths = new TreeSet<>(unknown.stream().map(Unknown::path).toList());
        // The parser refuses some unknown names itself (retention.FOO): each problem is reported once.
        rules.stream().filter(p -> !paths.contains(pathOf(p))).forEach(problems::add);
        throw new InvalidDefinitionException(problems);
    }

    /** A field the schema does not declare, at {@code path}, with the message to show. */
    public record Unknown(String path, String message) {}

    /** Every field of {@code definition} that the schema does not declare where it stands. */
    public static List<Unknown> unknownFields(JsonNode definition) {
        List<Unknown> found = new ArrayList<>();
        walk(SCHEMA, definition, "", found);
        return found;
    }

    private static void walk(JsonNode schema, JsonNode value, String path, List<Unknown> found) {
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
    private static JsonNode objectSchema(JsonNode schema) {
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

    private static JsonNode resolve(JsonNode schema) {
        JsonNode s = schema;
        while (s.has("$ref")) {
            String ref = s.get("$ref").asText();
            if (!ref.startsWith("#/")) {
                throw new IllegalStateException(RESOURCE + " may only refer within itself, not to " + ref);
            }
            s = SCHEMA.at(ref.substring(1));
        }
        return s;
    }

    private static String suggestion(String field, JsonNode properties) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Iterator<String> it = properties.fieldNames(); it.hasNext(); ) {
            String known = it.next();
            int d = distance(field.toLowerCase(Locale.ROOT), known.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = known;
                bestDistance = d;
            }
        }
        if (best != null && bestDistance <= Math.max(1, Math.min(3, best.length() / 3))) {
            return " (did you mean " + best + "?)";
        }
        List<String> known = new ArrayList<>();
        properties.fieldNames().forEachRemaining(known::add);
        return "; the fields here are " + String.join(", ", known);
    }

    /** Levenshtein distance: the fewest single-character insertions, deletions and substitutions from a to b. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** The path a parser problem names ("steps[0] (a).retry.maxAttempts: ..." -> "steps[0].retry.maxAttempts"). */
    static String pathOf(String problem) {
        int colon = problem.indexOf(':');
        return colon < 0 ? problem : STEP_NAME.matcher(problem.substring(0, colon)).replaceAll("");
    }

    private static String shown(String field) {
        return field.length() <= 100 ? field : field.substring(0, 100) + "...";
    }

    private static String load() {
        try (InputStream in = DefinitionSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path (beside "
                        + DefinitionSchema.class.getName() + ")");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    private static JsonNode tree(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(RESOURCE + " is not valid JSON", e);
        }
    }
}
