package io.sagalog.ingest;

import static io.sagalog.http.auth.Role.OPERATOR;
import static io.sagalog.http.auth.Role.SUBMITTER;
import static io.sagalog.http.auth.Role.VIEWER;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.engine.Definition;
import io.sagalog.engine.InvalidDefinitionException;
import io.sagalog.engine.StepDefinition;
import io.sagalog.engine.registry.ParticipantInfo;
import io.sagalog.engine.registry.Registry;
import io.sagalog.http.ApiDocuments;
import io.sagalog.http.Problem;
import io.sagalog.http.StrictJson;
import io.sagalog.http.auth.DeclaredRoutes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Definitions and participants at run time: {@code PUT/GET /v1/definitions[/{name}]} and
 * {@code PUT/GET /v1/participants[/{name}]}. A PUT answers once the registration is stored in Kafka and
 * readable here, so the next request can use it.
 */
public final class RegistryApi {
    private static final Logger log = LoggerFactory.getLogger(RegistryApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The range of a participant's {@code timeout}. */
    public static final Duration TIMEOUT_MIN = Duration.ofMillis(1);
    public static final Duration TIMEOUT_MAX = Duration.ofHours(24);

    private final Vertx vertx;
    private final Registry registry;
    private final ParticipantRegistration registrations;

    /** Participant URLs on loopback, link-local and metadata addresses are refused. */
    public RegistryApi(Vertx vertx, Registry registry) {
        this(vertx, registry, ParticipantUrls.strict());
    }

    /** @param urls which participant URLs may be registered (--participant-allow) */
    public RegistryApi(Vertx vertx, Registry registry, ParticipantUrls urls) {
        this.vertx = vertx;
        this.registry = registry;
        this.registrations = new ParticipantRegistration(registry, urls);
    }

    public void mount(Router router) {
        mount(DeclaredRoutes.on(router, io.sagalog.http.auth.BearerAuth.disabled()));
    }

    /** Changing definitions or participants is for operators; anyone with a token may read them. */
    public void mount(DeclaredRoutes routes) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(IngestApi.BODY_LIMIT_BYTES);
        routes.route(HttpMethod.PUT, "/v1/definitions/:name", OPERATOR).handler(body).handler(this::putDefinition)
                .failureHandler(StrictJson.failures(IngestApi.BODY_LIMIT_BYTES));
        routes.route(HttpMethod.GET, "/v1/definitions", VIEWER, OPERATOR, SUBMITTER).handler(this::listDefinitions);
        routes.route(HttpMethod.GET, "/v1/definitions/:name", VIEWER, OPERATOR, SUBMITTER).handler(this::getDefinition);
        routes.route(HttpMethod.PUT, "/v1/participants/:name", OPERATOR).handler(body).handler(this::putParticipant)
                .failureHandler(StrictJson.failures(IngestApi.BODY_LIMIT_BYTES));
        routes.route(HttpMethod.GET, "/v1/participants", VIEWER, OPERATOR, SUBMITTER).handler(this::listParticipants);
        routes.route(HttpMethod.GET, "/v1/participants/:name", VIEWER, OPERATOR, SUBMITTER).handler(this::getParticipant);
    }

    private void putDefinition(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        JsonNode body = jsonBody(ctx);
        if (body == null) {
            return;
        }
        if (!body.isObject()) {
            Problem.invalidDefinition(List.of("the body must be a JSON object with name, steps and deadline")).send(ctx);
            return;
        }
        ObjectNode withName = ((ObjectNode) body.deepCopy());
        if (!withName.has("name")) {
            withName.put("name", name);
        }
        Future<Definition> stored;
        try {
            stored = Future.fromCompletionStage(registry.registerDefinition(name, withName.toString()), vertx.getOrCreateContext());
        } catch (InvalidDefinitionException e) {
            Problem.invalidDefinition(e.problems()).send(ctx);
            return;
        }
        stored.onComplete(done -> {
            if (done.failed()) {
                unavailable(ctx, done.cause());
                return;
            }
            Definition d = done.result();
            ObjectNode out = definitionJson(d);
            ArrayNode unknown = out.putArray("unknownParticipants");
            d.steps().stream().map(StepDefinition::participant).distinct()
                    .filter(p -> registry.participant(p).isEmpty()).forEach(unknown::add);
            ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json")
                    .putHeader("Location", "/v1/definitions/" + name).end(out.toString());
        });
    }

    private void listDefinitions(RoutingContext ctx) {
        Map<String, List<Definition>> byName = new TreeMap<>();
        for (Definition d : registry.definitions().all()) {
            byName.computeIfAbsent(d.name(), n -> new ArrayList<>()).add(d);
        }
        ArrayNode list = JSON.createArrayNode();
        byName.forEach((name, versions) -> {
            ArrayNode numbers = list.addObject().put("name", name)
                    .put("latestVersion", versions.stream().mapToInt(Definition::version).max().orElse(0))
                    .putArray("versions");
            versions.stream().mapToInt(Definition::version).sorted().forEach(numbers::add);
        });
        ObjectNode out = JSON.createObjectNode();
        out.set("definitions", list);
        ctx.response().putHeader("Content-Type", "application/json").end(out.toString());
    }

    private void getDefinition(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        List<Definition> versions = registry.definitions().all().stream().filter(d -> d.name().equals(name))
                .sorted(java.util.Comparator.comparingInt(Definition::version)).toList();
        if (versions.isEmpty()) {
            Problem.notFound("there is no definition named '" + name + "'; register it with PUT /v1/definitions/" + name)
                    .send(ctx);
            return;
        }
        ObjectNode out = JSON.createObjectNode().put("name", name).put("latestVersion", versions.get(versions.size() - 1).version());
        ArrayNode list = out.putArray("versions");
        versions.forEach(d -> list.add(definitionJson(d)));
        ctx.response().putHeader("Content-Type", "application/json").end(out.toString());
    }

    private void putParticipant(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        JsonNode body = jsonBody(ctx);
        if (body == null || ApiDocuments.refuseUnknownFields(ctx, body)) {
            return;
        }
        String ownHost = ctx.request().localAddress() == null ? "" : ctx.request().localAddress().host();
        int ownPort = ctx.request().localAddress() == null ? -1 : ctx.request().localAddress().port();
        ParticipantRegistration.Read read = registrations.read(name, body, ownHost, ownPort);
        if (read instanceof ParticipantRegistration.Invalid invalid) {
            Problem.invalidParticipant(invalid.problems()).send(ctx);
            return;
        }
        ParticipantInfo info = ((ParticipantRegistration.Valid) read).info();
        Future.fromCompletionStage(registry.registerParticipant(info), vertx.getOrCreateContext()).onComplete(done -> {
            if (done.failed()) {
                unavailable(ctx, done.cause());
                return;
            }
            ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(participantJson(info).toString());
        });
    }

    private void listParticipants(RoutingContext ctx) {
        ArrayNode list = JSON.createArrayNode();
        new TreeMap<>(registry.participants()).values().forEach(p -> list.add(participantJson(p)));
        ObjectNode out = JSON.createObjectNode();
        out.set("participants", list);
        ctx.response().putHeader("Content-Type", "application/json").end(out.toString());
    }

    private void getParticipant(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        registry.participant(name).ifPresentOrElse(
                p -> ctx.response().putHeader("Content-Type", "application/json").end(participantJson(p).toString()),
                () -> Problem.notFound("there is no participant named '" + name + "'; register it with PUT /v1/participants/"
                        + name).send(ctx));
    }

    private static JsonNode jsonBody(RoutingContext ctx) {
        return StrictJson.read(ctx);
    }

    private static void unavailable(RoutingContext ctx, Throwable cause) {
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof org.apache.kafka.common.errors.InvalidTopicException) {
                // A permanent problem (e.g. a topic whose name collides with one made outside Sagalog): not 503.
                Problem.nameConflict("a step topic of this definition cannot be created: " + c.getMessage()
                        + "; rename the participant; nothing changed").send(ctx);
                return;
            }
        }
        log.warn("registry write failed: {}", cause.toString());
        ctx.response().putHeader("Retry-After", "5");
        Problem.unavailable("Kafka did not store the registration, so nothing changed; retry after 5 seconds").send(ctx);
    }

    private static ObjectNode definitionJson(Definition d) {
        return io.sagalog.engine.DefinitionJson.tree(d);
    }

    private static ObjectNode participantJson(ParticipantInfo p) {
        ObjectNode n = JSON.createObjectNode().put("name", p.name())
                .put("transport", p.transport().name().toLowerCase(Locale.ROOT)).put("timeout", p.timeout().toString())
                .put("maxConcurrency", p.maxConcurrency());
        if (p.url() != null) {
            n.put("url", p.url());
        }
        if (p.healthUrl() != null) {
            n.put("healthUrl", p.healthUrl());
        }
        return n;
    }

}
