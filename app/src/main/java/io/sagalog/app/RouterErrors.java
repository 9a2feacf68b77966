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
