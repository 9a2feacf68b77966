package io.sagalog.http.auth;

import io.sagalog.http.Problem;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The API's routes, each registered with the roles that may call it (or declared open, with why). A guard in front
 * of every {@code /v1} request lets through only what matches a declared route and, with authentication on, only
 * callers holding one of its roles: a route added to the router without being declared here is never reached
 * (it fails closed, 404), and a forwarded request is checked again on the instance it reaches. One instance per
 * router ({@link #on}): its guard answers for every {@code /v1} route.
 */
public final class DeclaredRoutes {
    /** A declared route: its roles, or why it needs no bearer token ({@code openBecause}). */
    public record Declared(HttpMethod method, String path, Set<Role> roles, String openBecause) {
        boolean open() {
            return openBecause != null;
        }
    }

    static final String API_PREFIX = "/v1/";

    private final Router router;
    private final BearerAuth auth;
    private final List<Declared> declared = new CopyOnWriteArrayList<>();

    private DeclaredRoutes(Router router, BearerAuth auth) {
        this.router = router;
        this.auth = auth;
    }

    /** Declared routes on this router, with the guard mounted now (before any of them). */
    public static DeclaredRoutes on(Router router, BearerAuth auth) {
        DeclaredRoutes routes = new DeclaredRoutes(router, auth);
        router.route(API_PREFIX + "*").handler(routes::guard);
        return routes;
    }

    /** A route callers holding one of the roles may call; add its handlers to what this returns. */
    public Route route(HttpMethod method, String path, Role role, Role... more) {
        Set<Role> roles = EnumSet.of(role, more);
        declared.add(new Declared(method, path, Collections.unmodifiableSet(roles), null));
        return router.route(method, path);
    }

    /** A route that needs no bearer token, and why (it must authenticate its callers some other way). */
    public Route open(HttpMethod method, String path, String because) {
        declared.add(new Declared(method, path, Set.of(), because));
        return router.route(method, path);
    }

    /** Every declared route, in the order declared. */
    public List<Declared> declared() {
        return List.copyOf(declared);
    }

    private void guard(RoutingContext ctx) {
        String path = ctx.request().path();
        if (path.length() > API_PREFIX.length() && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1); // the router serves "/v1/x/" as "/v1/x"
        }
        Declared match = null;
        Set<String> allowed = new TreeSet<>();
        int bestLiterals = -1;
        for (Declared d : declared) {
            int literals = matches(d.path(), path);
            if (literals < 0) {
                continue;
            }
            allowed.add(d.method().name());
            // "/v1/transactions/counts" beats "/v1/transactions/:txId": the most literal segments win, as the router's order does.
            if (d.method().equals(ctx.request().method()) && literals > bestLiterals) {
                match = d;
                bestLiterals = literals;
            }
        }
        if (match == null && !allowed.isEmpty()) {
            ctx.response().putHeader("Allow", String.join(", ", allowed));
            Problem.methodNotAllowed(ctx.request().method().name(), path).send(ctx);
            return;
        }
        if (match == null) {
            Problem.notFound("there is no API route " + ctx.request().method() + " " + path + "; see the HTTP API "
                    + "table in the README").send(ctx);
            return;
        }
        if (match.open()) {
            ctx.next();
            return;
        }
        auth.require(match.roles().toArray(Role[]::new)).handle(ctx);
    }

    /** The number of literal segments when the pattern ({@code :name} segments match any one) matches, else -1. */
    static int matches(String pattern, String path) {
        String[] p = pattern.split("/", -1);
        String[] s = path.split("/", -1);
        if (p.length != s.length) {
            return -1;
        }
        int literals = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i].startsWith(":")) {
                if (s[i].isEmpty()) {
                    return -1;
                }
            } else if (p[i].equals(s[i])) {
                literals++;
            } else {
                return -1;
            }
        }
        return literals;
    }

    /** For messages and tests: the roles as the README's table spells them. */
    public static List<String> roleNames(Set<Role> roles) {
        List<String> names = new ArrayList<>();
        roles.forEach(r -> names.add(r.wireName()));
        return names;
    }
}
