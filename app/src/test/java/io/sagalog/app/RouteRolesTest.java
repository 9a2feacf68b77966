package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.console.QueryApi;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.ingest.IngestApi;
import io.sagalog.http.ApiDocuments;
import io.sagalog.http.OwnerForwarding;
import io.sagalog.ingest.RegistryApi;
import io.sagalog.ingest.StepResultsApi;
import io.sagalog.http.auth.BearerAuth;
import io.sagalog.http.auth.DeclaredRoutes;
import io.sagalog.http.auth.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every API route declares who may call it where it is mounted, and the router reaches nothing else: the routes
 * are enumerated from the router and checked against the role table of the README, and a route that is mounted
 * without being declared is refused. Only the guard is exercised (refusals never reach the APIs, so they run here
 * without Kafka or an engine).
 */
class RouteRolesTest {
    /** The README's role table, route by route: who may call it ("open": no bearer token, its own credentials). */
    private static final Map<String, String> EXPECTED = new TreeMap<>(Map.ofEntries(
            Map.entry("POST /v1/transactions", "submitter"),
            Map.entry("GET /v1/transactions", "operator,viewer"),
            Map.entry("GET /v1/transactions/counts", "operator,viewer"),
            Map.entry("GET /v1/transactions/:txId", "operator,submitter,viewer"),
            Map.entry("POST /v1/transactions/:txId/actions", "operator"),
            Map.entry("POST /v1/transactions/actions", "operator"),
            Map.entry("GET /v1/bulk-actions/:bulkId", "operator,viewer"),
            Map.entry("PUT /v1/definitions/:name", "operator"),
            Map.entry("GET /v1/definitions", "operator,submitter,viewer"),
            Map.entry("GET /v1/definitions/:name", "operator,submitter,viewer"),
            Map.entry("PUT /v1/participants/:name", "operator"),
            Map.entry("GET /v1/participants", "operator,submitter,viewer"),
            Map.entry("GET /v1/participants/:name", "operator,submitter,viewer"),
            Map.entry("POST /v1/step-results", "open"),
            Map.entry("GET /v1/internal/engine-load", "operator,submitter,viewer"),
            Map.entry("GET /v1/openapi.json", "open"),
            Map.entry("GET /v1/schemas/definition.json", "open")));
    private static final Map<String, String> TOKENS = Map.of("viewer", "tok-viewer-0123456789",
            "operator", "tok-operator-0123456789", "submitter", "tok-submitter-0123456789");

    private static Vertx vertx;
    private static Router router;
    private static DeclaredRoutes routes;
    private static HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void mountEveryApi() throws Exception {
        vertx = Vertx.vertx();
        router = Router.router(vertx);
        Tokens tokens = Tokens.parse(TOKENS.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).toList(),
                "RouteRolesTest");
        routes = DeclaredRoutes.on(router, new BearerAuth(tokens));
        new IngestApi(vertx, null, () -> DefinitionCatalog.of(List.of()), Clock.systemUTC()).mount(routes);
        new QueryApi(vertx, null, null, Clock.systemUTC()).mount(routes);
        new RegistryApi(vertx, null).mount(routes);
        new StepResultsApi(vertx, null, null, null, Clock.systemUTC()).mount(routes);
        EngineLoad.serve(routes, () -> "test", () -> 0, Map::of);
        ApiDocuments.mount(routes);
        // A route someone mounted without declaring it: it must never be reached.
        router.get("/v1/undeclared").handler(ctx -> ctx.response().end("leaked"));
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldDeclareEveryApiRouteWithTheRolesOfTheReadme() {
        Map<String, String> declared = new TreeMap<>();
        for (DeclaredRoutes.Declared d : routes.declared()) {
            declared.put(d.method() + " " + d.path(), d.openBecause() != null ? "open"
                    : String.join(",", new TreeSet<>(DeclaredRoutes.roleNames(d.roles()))));
        }
        assertThat(declared).isEqualTo(EXPECTED);

        Set<String> mounted = new TreeSet<>();
        for (Route route : router.getRoutes()) {
            if (route.getPath() != null && route.getPath().startsWith("/v1/") && !route.getPath().equals("/v1/")
                    && route.methods() != null) {
                route.methods().forEach(m -> mounted.add(m.name() + " " + route.getPath()));
            }
        }
        mounted.remove("GET /v1/undeclared");
        assertThat(mounted).as("routes on the router").isEqualTo(EXPECTED.keySet());
    }

    @Test
    void shouldNeverReachARouteThatWasNotDeclared() throws Exception {
        HttpResponse<String> r = send("GET", "/v1/undeclared", "tok-operator-0123456789", false);

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).doesNotContain("leaked").contains("no API route");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void shouldRefuseEveryGuardedRouteWithoutATokenOrWithTheWrongRoleAlsoWhenForwarded() throws Exception {
        for (Map.Entry<String, String> route : EXPECTED.entrySet()) {
            if (route.getValue().equals("open")) {
                continue;
            }
            String method = route.getKey().substring(0, route.getKey().indexOf(' '));
            String path = route.getKey().substring(method.length() + 1).replaceAll(":[a-zA-Z]+", "x1");
            for (boolean forwarded : new boolean[] {false, true}) {
                assertThat(send(method, path, null, forwarded).statusCode()).as("%s without a token", route.getKey())
                        .isEqualTo(401);
                for (Map.Entry<String, String> token : TOKENS.entrySet()) {
                    if (!route.getValue().contains(token.getKey())) {
                        assertThat(send(method, path, token.getValue(), forwarded).statusCode())
                                .as("%s as %s%s", route.getKey(), token.getKey(), forwarded ? " (forwarded)" : "")
                                .isEqualTo(403);
                    }
                }
            }
        }
    }

    @Test
    void shouldAnswerAWrongMethodOnADeclaredPathWith405AndAllow() throws Exception {
        HttpResponse<String> r = send("DELETE", "/v1/definitions/x1", "tok-operator-0123456789", false);

        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("GET, PUT");
    }

    private HttpResponse<String> send(String method, String path, String token, boolean forwarded) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString("{}"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (forwarded) {
            b.header(OwnerForwarding.FORWARDED, "true");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
