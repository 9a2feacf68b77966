package io.sagalog.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The JSON Schema of a definition ({@code definition.schema.json} beside this class), served as
 * {@code GET /v1/schemas/definition.json} and enforced where a definition is registered or loaded from a file: a field
 * the schema does not declare is refused, naming its path and the nearest declared name
 * ({@code steps[0].retry.maxAttemps: unknown field (did you mean maxAttempts?)}), where it used to be ignored and its
 * default used ({@link SchemaFields}). The rules between fields and the ranges stay in {@link DefinitionParser}, which
 * the schema describes; together they report every problem once.
 */
public final class DefinitionSchema {
    public static final String RESOURCE = "definition.schema.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** "steps[2] (pay).retry: ..." -> "steps[2].retry", to compare the parser's paths with this schema's. */
    private static final Pattern STEP_NAME = Pattern.compile(" \\([^)]*\\)");
    private static final String TEXT = load();
    private static final JsonNode SCHEMA = tree(TEXT);
    private static final SchemaFields FIELDS = new SchemaFields(SCHEMA);

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
        JsonNode root = DefinitionParser.tree(json);
        List<SchemaFields.Unknown> unknown = unknownFields(root);
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
        List<String> problems = new ArrayList<>(unknown.stream().map(SchemaFields.Unknown::message).toList());
        Set<String> paths = new TreeSet<>(unknown.stream().map(SchemaFields.Unknown::path).toList());
        // The parser refuses some unknown names itself (retention.FOO): each problem is reported once.
        rules.stream().filter(p -> !paths.contains(pathOf(p))).forEach(problems::add);
        throw new InvalidDefinitionException(problems);
    }

    /** Every field of {@code definition} that the schema does not declare where it stands. */
    public static List<SchemaFields.Unknown> unknownFields(JsonNode definition) {
        return FIELDS.unknown(SCHEMA, definition);
    }

    /** The path a parser problem names ("steps[0] (a).retry.maxAttempts: ..." -> "steps[0].retry.maxAttempts"). */
    static String pathOf(String problem) {
        int colon = problem.indexOf(':');
        return colon < 0 ? problem : STEP_NAME.matcher(problem.substring(0, colon)).replaceAll("");
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
