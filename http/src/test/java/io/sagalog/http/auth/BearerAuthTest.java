package io.sagalog.http.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The guards over real HTTP: a Vert.x server on a free loopback port and the JDK client. */
class BearerAuthTest {
    private static final String VIEWER = "viewer-token-0123456789";
    private static final String OPERATOR = "operator-token-0123456789";
    private static final Tokens TOKENS = Tokens.parse(List.of(VIEWER + " viewer", OPERATOR + " operator,viewer"), "t");

    private final HttpClient http = HttpClient.newHttpClient();
    private Vertx vertx;
    private HttpServer server;

    @BeforeEach
    void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** /read needs viewer, /act needs operator or submitter; both answer with the recorded actor and roles. */
    private void serve(BearerAuth auth) throws Exception {
        Router router = Router.router(vertx);
        router.get("/read").handler(auth.require(Role.VIEWER)).handler(this::echo);
        router.post("/act").handler(auth.require(Role.OPERATOR, Role.SUBMITTER)).handler(this::echo);
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage()
                .toCompletableFuture().get();
    }

    private void echo(io.vertx.ext.web.RoutingContext ctx) {
        Set<Role> roles = ctx.get(BearerAuth.ROLES_KEY);
        ctx.response().end(BearerAuth.actor(ctx).orElse("nobody") + " " + (roles == null ? "-" : Tokens.roleNames(roles)));
    }

    @Test
    void shouldPassATokenWithTheRoleAndRecordItsRolesAndActorButNotTheToken() throws Exception {
        serve(new BearerAuth(TOKENS));

        HttpResponse<String> read = send("GET", "/read", "Bearer " + VIEWER);
        HttpResponse<String> act = send("POST", "/act", "bearer  " + OPERATOR);

        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).matches("token:[0-9a-f]{6} viewer").doesNotContain(VIEWER);
        assertThat(act.statusCode()).isEqualTo(200);
        assertThat(act.body()).matches("token:[0-9a-f]{6} viewer,operator");
        assertThat(act.body()).isNotEqualTo(read.body());
    }

    @Test
    void shouldRefuseMissingTokenWith401ProblemJson() throws Exception {
        serve(new BearerAuth(TOKENS));

        HttpResponse<String> r = send("GET", "/read", null);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"sagalog\"");
        assertThat(r.body()).contains("\"type\":\"https://sagalog.io/problems/unauthorized\"")
                .contains("send 'Authorization: Bearer <token>'").contains("--tokens FILE");
    }

    @Test
    void shouldRefuseOtherSchemesAndEmptyBearerWith401() throws Exception {
        serve(new BearerAuth(TOKENS));

        for (String header : List.of("Basic dXNlcjpwYXNz", VIEWER, "Bearer ", "Bearer")) {
            HttpResponse<String> r = send("GET", "/read", header);
            assertThat(r.statusCode()).as(header).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"sagalog\"");
            assertThat(r.body()).doesNotContain(VIEWER);
        }
    }

    @Test
    void shouldRefuseUnknownTokenWith401InvalidToken() throws Exception {
        serve(new BearerAuth(TOKENS));

        HttpResponse<String> r = send("GET", "/read", "Bearer not-a-known-token-at-all");

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(r.headers().firstValue("WWW-Authenticate"))
                .contains("Bearer realm=\"sagalog\", error=\"invalid_token\"");
        assertThat(r.body()).contains("the bearer token is not known").doesNotContain("not-a-known-token-at-all");
    }

    @Test
    void shouldRefuseKnownTokenWithoutTheRoleWith403NamingNeededAndHeldRoles() throws Exception {
        serve(new BearerAuth(TOKENS));

        HttpResponse<String> r = send("POST", "/act", "Bearer " + VIEWER);

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(r.body()).contains("\"type\":\"https://sagalog.io/problems/forbidden\"")
                .contains("this needs the role operator or submitter; the token has viewer")
                .doesNotContain(VIEWER);
    }

    @Test
    void shouldLetEveryRequestThroughWhenDisabled() throws Exception {
        BearerAuth auth = BearerAuth.disabled();
        serve(auth);

        assertThat(auth.enabled()).isFalse();
        assertThat(send("GET", "/read", null).body()).isEqualTo("nobody -");
        assertThat(send("POST", "/act", "Bearer whatever").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldRejectAGuardWithoutRoles() {
        assertThatThrownBy(() -> new BearerAuth(TOKENS).require()).isInstanceOf(IllegalArgumentException.class);
    }

    private HttpResponse<String> send(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
