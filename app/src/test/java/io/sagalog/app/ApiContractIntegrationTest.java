package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.sagalog.app.FakeHttpParticipant.Call;
import io.sagalog.app.FakeHttpParticipant.Reply;
import io.sagalog.engine.DefinitionSchema;
import io.sagalog.engine.TransactionQueries.Endpoint;
import io.sagalog.http.ApiDocuments;
import io.sagalog.schemas.KafkaClients;
import io.sagalog.schemas.TopicNames;
import io.vertx.ext.web.Route;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document against the real routers and a running node: every route an engine node or a front end
 * registers is documented and every documented path and method is a route of the engine node; both documents are
 * served without a token; each documented request example is valid by its schema; and each example, broken by a
 * wrong type, an unknown field or a huge value in each of its fields, is answered 4xx problem+json naming the
 * field, never 5xx.
 */
@Tag("integration")
class ApiContractIntegrationTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    private static final JsonNode DOCUMENT = read(ApiDocuments.openApi());
    /** A well-formed id no transaction has: an action on it is judged on its body first, then answered 404. */
    private static final String MISSING_TX = UUID.randomUUID().toString();

    private static HttpTestNode sagalog;
    private static IngestNode front;
    private static FakeHttpParticipant participants;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        sagalog = HttpTestNode.start();
        participants = FakeHttpParticipant.start(sagalog.vertx);
        front = IngestNode.start(new IngestNode.Options(KafkaClients.of(KafkaFixture.bootstrapServers()),
                TopicNames.DEFAULT, "127.0.0.1", 0, List.of(new Endpoint("127.0.0.1", sagalog.node.port())), null,
                HttpLimits.defaults(), null));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(front, participants, sagalog);
    }

    @Test
    void shouldDocumentEveryRouteOfAnEngineNodeAndNothingElse() {
        assertThat(routes(sagalog.node.routes())).isEqualTo(documented());
    }

    @Test
    void shouldDocumentEveryRouteOfAFrontEnd() {
        Set<String> frontRoutes = routes(front.routes());

        assertThat(documented()).containsAll(frontRoutes);
        assertThat(frontRoutes).contains("GET /v1/openapi.json", "GET /v1/schemas/definition.json", "POST /v1/transactions");
    }

    @Test
    void shouldServeBothDocumentsWithoutATokenFromEngineAndFront() throws Exception {
        for (int port : List.of(sagalog.node.port(), front.port())) {
            HttpResponse<String> openApi = get(port, "/v1/openapi.json");
            HttpResponse<String> schema = get(port, "/v1/schemas/definition.json");

            assertThat(openApi.statusCode()).isEqualTo(200);
            assertThat(read(openApi.body())).isEqualTo(DOCUMENT);
            assertThat(DOCUMENT.path("openapi").asText()).isEqualTo("3.1.0");
            assertThat(schema.statusCode()).isEqualTo(200);
            assertThat(schema.headers().firstValue("Content-Type")).hasValue("application/schema+json");
            assertThat(schema.body()).isEqualTo(DefinitionSchema.text());
        }
        assertThat(DOCUMENT.at("/webhooks/participantCall/post/requestBody/content/application~1json/schema/$ref").asText())
                .isEqualTo("#/components/schemas/ParticipantCall");
        assertThat(DOCUMENT.at("/components/securitySchemes/bearer/scheme").asText()).isEqualTo("bearer");
    }

    @Test
    void shouldHoldEveryRequestExampleValidByItsSchema() {
        List<String> checked = new ArrayList<>();
        for (Operation op : operationsWithBodies()) {
            Schema schema = requestSchema(op);
            for (JsonNode example : op.examples()) {
                assertThat(schema.validate(example.toString(), InputFormat.JSON)).as("%s example %s", op, example).isEmpty();
                checked.add(op.toString());
            }
            ObjectNode unknown = ((ObjectNode) op.examples().get(0).deepCopy()).put("surplusField", 1);
            assertThat(schema.validate(unknown.toString(), InputFormat.JSON)).as("%s with an unknown field", op).isNotEmpty();
        }
        assertThat(checked).hasSizeGreaterThanOrEqualTo(6);
    }

    /** Examples and their broken variants at a running node: never 5xx; broken ones 4xx problem+json naming the field. */
    @Test
    void shouldRefuseEveryBrokenVariantOfEachExampleNamingTheFieldAndNeverAnswer5xx() throws Exception {
        String token = callbackToken();
        int variants = 0;
        for (Operation op : operationsWithBodies()) {
            ObjectNode example = (ObjectNode) op.examples().get(0).deepCopy();
            if (op.path().equals("/v1/step-results")) {
                example.put("token", token); // a real one, so the body's fields are what is judged
            }
            JsonNode properties = resolve(requestSchemaNode(op)).path("properties");
            for (Iterator<String> it = properties.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (properties.get(field).path("readOnly").asBoolean()) {
                    continue;
                }
                for (JsonNode broken : brokenValues(properties.get(field))) {
                    assertRefusedNaming(op, example.deepCopy().set(field, broken), field);
                    variants++;
                }
            }
            assertRefusedNaming(op, example.deepCopy().put(firstField(properties) + "x", 1), firstField(properties) + "x");
            HttpResponse<String> valid = send(op, example.toString());
            assertThat(valid.statusCode()).as("%s example: %s", op, valid.body()).isBetween(200, 499);
            assertThat(valid.statusCode()).as("%s example: %s", op, valid.body()).isNotIn(400, 413, 415, 422);
        }
        assertThat(variants).isGreaterThan(30);
    }

    private void assertRefusedNaming(Operation op, JsonNode body, String field) throws Exception {
        HttpResponse<String> r = send(op, body.toString());
        assertThat(r.statusCode()).as("%s with %s: %s", op, clip(body), clip(r.body())).isBetween(400, 499);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = read(r.body());
        // The field as a word of the answer ('reason', reason:, /reason), not inside another ("transaction").
        assertThat(problem.path("detail").asText() + " " + problem.path("errors")).as("%s with %s", op, clip(body))
                .containsPattern("(^|[^A-Za-z])" + java.util.regex.Pattern.quote(field) + "([^A-Za-z]|$)");
    }

    /** A wrong type, and a value too large for any field, for a field of this schema. */
    private static List<JsonNode> brokenValues(JsonNode fieldSchema) {
        JsonNode s = resolve(fieldSchema);
        if (!s.has("type") && !s.has("anyOf") && !s.has("enum") && !s.has("properties")) {
            // Any JSON is allowed: only the reader's limits apply (nesting deeper than 64 levels).
            return List.of(read("[".repeat(70) + "]".repeat(70)));
        }
        String types = s.path("type").toString() + s.path("anyOf");
        List<JsonNode> values = new ArrayList<>();
        values.add(types.contains("string") ? read("{\"not\":\"this\"}") : read("\"text\""));
        if (types.contains("object")) {
            values.add(read("[1,2]"));
            values.add(read("{" + "\"a\":{".repeat(70) + "}".repeat(71)));
        } else if (types.contains("integer") || types.contains("number")) {
            values.add(read("1e999"));
        } else {
            values.add(TextNode.valueOf("x".repeat(60_000))); // within every body limit (64 KiB for actions), above every field's
        }
        return values;
    }

    private record Operation(String method, String path, List<JsonNode> examples) {
        @Override
        public String toString() {
            return method.toUpperCase(java.util.Locale.ROOT) + " " + path;
        }
    }

    private static List<Operation> operationsWithBodies() {
        List<Operation> ops = new ArrayList<>();
        DOCUMENT.path("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(m -> {
            JsonNode content = m.getValue().path("requestBody").path("content").path("application/json");
            if (!content.isMissingNode()) {
                List<JsonNode> examples = new ArrayList<>();
                content.path("examples").forEach(e -> examples.add(e.path("value")));
                ops.add(new Operation(m.getKey(), p.getKey(), examples));
            }
        }));
        assertThat(ops).allSatisfy(op -> assertThat(op.examples()).as("%s has an example", op).isNotEmpty());
        return ops;
    }

    private static JsonNode requestSchemaNode(Operation op) {
        return DOCUMENT.path("paths").path(op.path()).path(op.method()).path("requestBody").path("content")
                .path("application/json").path("schema");
    }

    /** The operation's request schema, with the whole document around it for its references. */
    private static Schema requestSchema(Operation op) {
        ObjectNode root = DOCUMENT.deepCopy();
        root.put("$ref", "#/paths/" + op.path().replace("~", "~0").replace("/", "~1") + "/" + op.method()
                + "/requestBody/content/application~1json/schema");
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(root.toString(), InputFormat.JSON);
    }

    private static JsonNode resolve(JsonNode schema) {
        JsonNode s = schema;
        while (s.has("$ref")) {
            s = DOCUMENT.at(s.get("$ref").asText().substring(1));
        }
        return s;
    }

    private static String firstField(JsonNode properties) {
        return properties.fieldNames().next();
    }

    /** Where a documented path+method is sent: path parameters filled, the definition example registered first. */
    private HttpResponse<String> send(Operation op, String body) throws Exception {
        String path = op.path().replace("{txId}", MISSING_TX).replace("{name}", "trip-booking");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sagalog.node.port() + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .method(op.method().toUpperCase(java.util.Locale.ROOT), HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A callback token the node issued: an HTTP participant that answers 202 is called for a transaction. */
    private static String callbackToken() throws Exception {
        String participant = "ct-later-" + RUN;
        String definition = "ct-later-" + RUN;
        participants.behave(participant, call -> Reply.status(202, "{}"));
        sagalog.api.registerHttpParticipant(participant, participants.url(participant), "30s", null);
        sagalog.api.registerDefinition(definition, "{\"name\":\"" + definition + "\",\"steps\":[{\"name\":\"s\","
                + "\"participant\":\"" + participant + "\",\"action\":\"a\",\"kind\":\"pivot\"}]}");
        // The documented examples name trip-booking; registered here so a submit example reaches its fields. Its
        // participants get this run's names: the broker is shared, and step requests left for "flights" would be
        // delivered, 25 s stale, to a later test's demo participants (whose engine replays the control log), and
        // delivery admission would refuse that test's submits.
        com.fasterxml.jackson.databind.node.ObjectNode example =
                (com.fasterxml.jackson.databind.node.ObjectNode) read(DefinitionSchema.text()).path("examples").get(0).deepCopy();
        ((com.fasterxml.jackson.databind.node.ArrayNode) example.get("steps")).forEach(step -> ((com.fasterxml.jackson.databind.node.ObjectNode) step)
                .put("participant", step.path("participant").asText() + "-" + RUN));
        sagalog.api.registerDefinition("trip-booking", example.toString());
        String txId = sagalog.api.submit(definition, "{}");
        Call call = Awaitility.await("the participant is called").atMost(Duration.ofSeconds(60))
                .until(() -> participants.calls(txId).stream().findFirst(), java.util.Optional::isPresent).orElseThrow();
        return call.callbackToken();
    }

    private static Set<String> routes(List<Route> routes) {
        Set<String> out = new TreeSet<>();
        for (Route route : routes) {
            if (route.getPath() != null && route.methods() != null && !route.methods().isEmpty()) {
                String path = route.getPath().replaceAll(":([A-Za-z0-9_]+)", "{$1}");
                route.methods().forEach(m -> out.add(m.name() + " " + path));
            }
        }
        return out;
    }

    private static Set<String> documented() {
        Set<String> out = new TreeSet<>();
        for (Map.Entry<String, JsonNode> p : (Iterable<Map.Entry<String, JsonNode>>) DOCUMENT.path("paths")::fields) {
            p.getValue().fieldNames().forEachRemaining(m -> {
                if (METHODS.contains(m)) {
                    out.add(m.toUpperCase(java.util.Locale.ROOT) + " " + p.getKey());
                }
            });
        }
        return out;
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String clip(Object o) {
        String s = String.valueOf(o);
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }

    private static JsonNode read(String json) {
        try {
            return HttpTestClient.JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
