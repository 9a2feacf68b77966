package io.sagalog.app;

import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** What the router's error handlers need to know: the methods a path allows (405), and whether the client left. */
final class RouterErrors {
    private RouterErrors() {}

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RouterErrors.class);

    /** Every error the router answers itself (no route, wrong method, body too large, ...) as problem+json. */
    static void mount(Router router) {
        router.errorHandler(404, ctx -> io.sagalog.http.Problem.notFound("there is no endpoint " + ctx.request().method() + " "
                + ctx.request().path() + "; the API is described in README.md").send(ctx));
        router.errorHandler(405, ctx -> {
            String allow = allowed(router, ctx.request().path());
            if (!allow.isEmpty()) {
                ctx.response().putHeader("Allow", allow);
            }
            io.sagalog.http.Problem.methodNotAllowed(ctx.request().method().name(), ctx.request().path()).send(ctx);
        });
        router.errorHandler(413, ctx -> io.sagalog.http.Problem.bodyTooLarge(io.sagalog.ingest.IngestApi.BODY_LIMIT_BYTES).send(ctx));
        router.errorHandler(400, ctx -> io.sagalog.http.Problem.badRequest("the request could not be read"
                + (ctx.failure() == null ? "" : ": " + ctx.failure().getMessage())).send(ctx));
        router.errorHandler(500, ctx -> {
            if (clientGone(ctx)) {
                log.debug("request {} {}: the client went away before it was answered ({})", ctx.request().method(),
                        ctx.request().path(), String.valueOf(ctx.failure()));
                return;
            }
            log.error("request {} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
            io.sagalog.http.Problem.internal().send(ctx);
        });
    }

    /** The methods routes of this path accept, comma separated ({@code Allow} of a 405), or "" when none say. */
    static String allowed(Router router, String path) {
        Set<String> methods = new TreeSet<>();
        for (Route route : router.getRoutes()) {
            String pattern = route.getPath();
            if (pattern == null || route.isRegexPath() || route.methods() == null || route.methods().isEmpty()) {
                continue;
            }
            if (matches(pattern, route.isExactPath(), path)) {
                route.methods().stream().map(HttpMethod::name).forEach(methods::add);
            }
        }
        return String.join(", ", methods);
    }

    private static boolean matches(String pattern, boolean exact, String path) {
        String regex = Pattern.quote(pattern).replaceAll(":[A-Za-z0-9_]+", "\\\\E[^/]+\\\\Q");
        if (!exact) {
            regex = regex + ".*";
        }
        String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return Pattern.matches(regex, trimmed);
    }

    /** True when the request failed because the client closed the connection (e.g. in the middle of its body). */
    static boolean clientGone(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpClosedException
                    || t instanceof java.nio.channels.ClosedChannelException) {
                return true;
            }
        }
        return ctx.response().closed() || ctx.request().connection() == null;
    }
}
