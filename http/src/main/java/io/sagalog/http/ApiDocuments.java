package io.sagalog.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.engine.DefinitionSchema;
import io.sagalog.engine.SchemaFields;
import io.sagalog.http.auth.DeclaredRoutes;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * The API's contract, served without a token: {@code GET /v1/openapi.json} (OpenAPI 3.1) and
 * {@code GET /v1/schemas/definition.json} (the JSON Schema registration enforces, {@link DefinitionSchema}).
 *
 * <p>The OpenAPI document is kept by hand as resources beside this class, one file per audience ({@code openapi/}:
 * the frame with the shared parts, transactions, registry, operations, and the participant call as a webhook),
 * merged here once. The definition schema is put in as {@code components.schemas.Definition}, so the document and
 * the served schema are the same text. Tests hold the document to the router both ways (every route documented,
 * nothing documented that is not a route) and post its examples and broken variants at a running node.
 */
public final class ApiDocuments {
    public static final String OPENAPI_PATH = "/v1/openapi.json";
    public static final String DEFINITION_SCHEMA_PATH = "/v1/schemas/definition.json";
    private static final String FRAME = "openapi/openapi.json";
    private static final List<String> PARTS = List.of("openapi/transactions.json", "openapi/registry.json",
            "openapi/operations.json", "openapi/webhooks.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectNode DOCUMENT = merged();
    private static final String OPENAPI = DOCUMENT.toString();
    private static final SchemaFields FIELDS = new SchemaFields(DOCUMENT);

    private ApiDocuments() {}

    /** Serves both documents; each is public, like the README that describes the same API. */
    public static void mount(DeclaredRoutes routes) {
        routes.open(HttpMethod.GET, OPENAPI_PATH, "the API's description, public like the README")
                .handler(ctx -> send(ctx, "application/json", OPENAPI));
        routes.open(HttpMethod.GET, DEFINITION_SCHEMA_PATH, "the definition schema, public like the README")
                .handler(ctx -> send(ctx, "application/schema+json", DefinitionSchema.text()));
    }

    /** Whether this request is for one of these documents (a front end answers them itself, as an engine would). */
    public static boolean isDocument(HttpMethod method, String path) {
        return method == HttpMethod.GET && (path.equals(OPENAPI_PATH) || path.equals(DEFINITION_SCHEMA_PATH));
    }

    /** The OpenAPI document as served. */
    public static String openApi() {
        return OPENAPI;
    }

    /**
     * Refuses a request body with fields its route's request schema does not declare: sends 422 (invalid-request)
     * naming each one with the nearest declared name and returns true; false when there are none.
     */
    public static boolean refuseUnknownFields(RoutingContext ctx, JsonNode body) {
        String path = ctx.currentRoute() == null ? null : ctx.currentRoute().getPath();
        JsonNode schema = path == null ? null : DOCUMENT.path("paths").path(path.replaceAll(":([A-Za-z0-9_]+)", "{$1}"))
                .path(ctx.request().method().name().toLowerCase(Locale.ROOT)).path("requestBody").path("content")
                .path("application/json").get("schema");
        if (schema == null) {
            return false;
        }
        List<SchemaFields.Unknown> unknown = FIELDS.unknown(schema, body);
        if (unknown.isEmpty()) {
            return false;
        }
        Problem.unknownFields(unknown.stream().map(SchemaFields.Unknown::message).toList()).send(ctx);
        return true;
    }

    private static void send(RoutingContext ctx, String contentType, String body) {
        ctx.response().putHeader("Content-Type", contentType).putHeader("Cache-Control", "no-cache").end(body);
    }

    private static ObjectNode merged() {
        ObjectNode document = (ObjectNode) read(FRAME);
        for (String part : PARTS) {
            JsonNode p = read(part);
            for (String section : List.of("paths", "webhooks")) {
                if (p.has(section)) {
                    ((ObjectNode) document.get(section)).setAll((ObjectNode) p.get(section));
                }
            }
            ObjectNode schemas = (ObjectNode) document.get("components").get("schemas");
            if (p.path("components").has("schemas")) {
                schemas.setAll((ObjectNode) p.get("components").get("schemas"));
            }
        }
        // The served definition schema, as a part of this document: its own "#/$defs/..." now point into it here.
        String embedded = DefinitionSchema.text().replace("\"#/$defs/", "\"#/components/schemas/Definition/$defs/");
        ObjectNode definition = (ObjectNode) readText(embedded);
        definition.remove(List.of("$schema", "$id")); // the document's jsonSchemaDialect says the same
        ((ObjectNode) document.get("components").get("schemas")).set("Definition", definition);
        return document;
    }

    private static JsonNode read(String resource) {
        try (InputStream in = ApiDocuments.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the class path (beside "
                        + ApiDocuments.class.getName() + ")");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static JsonNode readText(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
