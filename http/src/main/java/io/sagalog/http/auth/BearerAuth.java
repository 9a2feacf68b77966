package io.sagalog.http.auth;

import io.sagalog.http.Problem;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards Vert.x routes with {@code Authorization: Bearer <token>} and {@link Role}s.
 *
 * <p>Put {@code require(...)} before a route's handler. A passing request carries its roles under
 * {@link #ROLES_KEY} and an actor name (see {@link #actor}) so actions can be attributed without storing or
 * logging the token itself. Refusals are problem+json, as every other error of the API.
 */
public final class BearerAuth {
    /** Context key of the caller's {@code Set<Role>}. */
    public static final String ROLES_KEY = "sagalog.roles";
    /** Context key of the caller's actor name. */
    public static final String ACTOR_KEY = "sagalog.actor";
    static final String CHALLENGE = "Bearer realm=\"sagalog\"";
    private static final String HOW = "send 'Authorization: Bearer <token>'; sagalog dev prints its tokens at start,"
            + " or pass --tokens FILE";
    private static final Logger log = LoggerFactory.getLogger(BearerAuth.class);

    /** Null when authentication is off. */
    private final Tokens tokens;

    public BearerAuth(Tokens tokens) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    private BearerAuth() {
        this.tokens = null;
    }

    /**
     * Lets every request through and records no actor: for tests and {@code --no-auth}, where the server is
     * reachable only by trusted callers.
     */
    public static BearerAuth disabled() {
        return new BearerAuth();
    }

    public boolean enabled() {
        return tokens != null;
    }

    /**
     * A handler that calls {@code ctx.next()} only if the bearer token grants at least one of {@code anyOf}:
     * otherwise 401 (no usable token: the caller must authenticate) or 403 (known caller, wrong role: another
     * token is needed, so retrying with the same one is pointless).
     *
     * @throws IllegalArgumentException if no role is given, since such a guard would refuse everyone
     */
    public Handler<RoutingContext> require(Role... anyOf) {
        if (anyOf.length == 0) {
            throw new IllegalArgumentException("require(...) needs at least one role");
        }
        Set<Role> needed = Collections.unmodifiableSet(EnumSet.copyOf(Arrays.asList(anyOf)));
        if (tokens == null) {
            return RoutingContext::next;
        }
        return ctx -> {
            String token = bearerToken(ctx.request().getHeader("Authorization"));
            if (token == null) {
                ctx.response().putHeader("WWW-Authenticate", CHALLENGE);
                Problem.unauthorized("the request has no bearer token; " + HOW).send(ctx);
                return;
            }
            Optional<Set<Role>> roles = tokens.rolesOf(token);
            if (roles.isEmpty()) {
                ctx.response().putHeader("WWW-Authenticate", CHALLENGE + ", error=\"invalid_token\"");
                Problem.unauthorized("the bearer token is not known to this server; check it was copied whole and"
                        + " belongs to this server (sagalog dev makes new tokens at each start unless given"
                        + " --tokens FILE)").send(ctx);
                return;
            }
            String actor = Tokens.actorName(token);
            if (Collections.disjoint(roles.get(), needed)) {
                log.debug("refused {} {} for {}: has {}, needs {}", ctx.request().method(), ctx.request().path(),
                        actor, roles.get(), needed);
                Problem.forbidden("this needs the role " + String.join(" or ", needed.stream().map(Role::wireName)
                        .toList()) + "; the token has " + Tokens.roleNames(roles.get())
                        + "; use a token with the needed role").send(ctx);
                return;
            }
            ctx.put(ROLES_KEY, roles.get());
            ctx.put(ACTOR_KEY, actor);
            ctx.next();
        };
    }

    /** Who made the request, e.g. {@code token:3fa9c1}; empty if no guard authenticated it (or auth is off). */
    public static Optional<String> actor(RoutingContext ctx) {
        return Optional.ofNullable(ctx.get(ACTOR_KEY));
    }

    /** The token of a {@code Bearer} header (scheme case-insensitive, RFC 9110), or null if there is none. */
    private static String bearerToken(String header) {
        if (header == null) {
            return null;
        }
        String value = header.strip();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).equalsIgnoreCase("Bearer")) {
            return null;
        }
        String token = value.substring(space + 1).strip();
        return token.isEmpty() ? null : token;
    }
}
