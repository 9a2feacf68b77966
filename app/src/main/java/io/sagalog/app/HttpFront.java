package io.sagalog.app;

import io.sagalog.http.Problem;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server in front of the router, with the {@link HttpLimits}: a connection cap, a header timeout for new
 * connections and between the requests of a kept-alive one, an idle timeout, header size limits, a request timeout,
 * problem+json for requests the HTTP layer refuses before routing, and a gate that answers 503 with
 * {@code Retry-After} while the node starts (routes not mounted yet) or stops.
 *
 * <p>Everything runs on the connection's event loop; per-connection state is touched only there.
 */
final class HttpFront {
    private static final Logger log = LoggerFactory.getLogger(HttpFront.class);

    private final Vertx vertx;
    private final Router router;
    private final HttpLimits limits;
    private final int maxConnections;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private volatile String closedBecause = "the node is starting";

    /** For tests: every route of the router this front serves. */
    java.util.List<io.vertx.ext.web.Route> routes() {
        return router.getRoutes();
    }

    HttpFront(Vertx vertx, Router router, HttpLimits limits) {
        this.vertx = vertx;
        this.router = router;
        this.limits = limits;
        this.maxConnections = limits.effectiveMaxConnections();
        if (maxConnections < limits.maxConnections()) {
            log.warn("HTTP connections capped at {} instead of {}: the open-file limit is {} (raise it with ulimit -n)",
                    maxConnections, limits.maxConnections(), HttpLimits.maxFileDescriptors());
        }
    }

    static HttpServerOptions options(HttpLimits limits) {
        return new HttpServerOptions()
                .setIdleTimeout((int) limits.idleTimeout().toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setMaxHeaderSize(limits.maxHeaderSize())
                .setMaxInitialLineLength(limits.maxInitialLineLength())
                // h2c detection waits for the first bytes before a connection exists, so a connection that sends
                // nothing would escape the cap and the header timeout; the API is HTTP/1.1.
                .setHttp2ClearTextEnabled(false);
    }

    HttpServer create() {
        return vertx.createHttpServer(options(limits))
                .connectionHandler(this::connected)
                .invalidRequestHandler(this::invalid)
                .requestHandler(this::request);
    }

    /** Routes are mounted: pass requests on. */
    void open() {
        closedBecause = null;
    }

    /** The node is stopping: answer 503 from now on. */
    void closeGate() {
        closedBecause = "the node is stopping";
    }

    /** Stops the node's HTTP: 503 for new requests, and those in progress get up to the request timeout to finish. */
    void shutdown(HttpServer http) {
        closeGate();
        try {
            http.shutdown(limits.requestTimeout()).toCompletionStage().toCompletableFuture().get();
        } catch (Exception e) {
            log.warn("closing the HTTP server: {}", e.toString());
        }
    }

    int maxConnections() {
        return maxConnections;
    }

    int connections() {
        return connections.get();
    }

    /** Per connection, on its event loop: how many requests began. */
    private static final class Conn {
        long requests;
    }

    private void connected(HttpConnection conn) {
        int n = connections.incrementAndGet();
        Conn state = new Conn();
        conn.closeHandler(v -> connections.decrementAndGet());
        if (n > maxConnections) {
            long r = refused.incrementAndGet();
            if (r == 1 || r % 1000 == 0) {
                log.warn("{} open HTTP connections, the cap is {}: closing new ones ({} so far); see --http-max-connections",
                        n - 1, maxConnections, r);
            }
            conn.close();
            return;
        }
        conns.put(conn, state);
        conn.closeHandler(v -> {
            connections.decrementAndGet();
            conns.remove(conn);
        });
        closeUnlessRequested(conn, state, 0, limits.headerTimeout().toMillis(), "send its first request's headers");
    }

    /** Open connections under the cap and their state (each entry touched only on its connection's event loop). */
    private final java.util.Map<HttpConnection, Conn> conns = new java.util.concurrent.ConcurrentHashMap<>();

    /** Closes the connection after {@code millis} unless another request than the first {@code seen} began. */
    private void closeUnlessRequested(HttpConnection conn, Conn state, long seen, long millis, String what) {
        vertx.setTimer(millis, id -> {
            if (state.requests == seen && conns.containsKey(conn)) {
                log.debug("closing HTTP connection {}: it did not {} within {} ms", conn.remoteAddress(), what, millis);
                conn.close();
            }
        });
    }

    private void request(HttpServerRequest req) {
        HttpConnection conn = req.connection();
        Conn state = conn == null ? null : conns.get(conn);
        if (state != null) {
            state.requests++;
        }
        String closed = closedBecause;
        if (closed != null) {
            req.response().putHeader("Retry-After", "1");
            send(req, Problem.unavailable(closed + "; retry in a second"));
            return;
        }
        long seen = state == null ? -1 : state.requests;
        long timeout = limits.requestTimeout().toMillis() + waitMillis(req);
        vertx.setTimer(timeout, id -> {
            timedOut(req, timeout);
            if (state != null) {
                // Kept alive: the next request's headers must be there within the idle timeout.
                closeUnlessRequested(conn, state, seen, limits.idleTimeout().toMillis(), "send its next request");
            }
        });
        router.handle(req);
    }

    /** A request may ask to wait for its transaction ({@code ?wait=}, at most 30 s): its timeout grows by that. */
    private static long waitMillis(HttpServerRequest req) {
        String wait = req.getParam("wait");
        if (wait == null) {
            return 0;
        }
        try {
            java.time.Duration d = io.sagalog.http.TransactionWaits.parseWait(wait);
            return d == null ? 0 : d.toMillis();
        } catch (IllegalArgumentException e) {
            return 0; // answered 422 by the route
        }
    }

    private void timedOut(HttpServerRequest req, long timeoutMillis) {
        HttpServerResponse response = req.response();
        if (response.ended() || response.closed()) {
            return;
        }
        if (response.headWritten()) {
            req.connection().close();
            return;
        }
        long seconds = Math.max(1, timeoutMillis / 1000);
        if (!req.isEnded()) {
            log.debug("{} {}: the body did not arrive within {} s", req.method(), req.path(), seconds);
            response.putHeader("Connection", "close");
            send(req, Problem.bodyTimeout(seconds)).onComplete(v -> req.connection().close());
            return;
        }
        log.warn("{} {} was not answered within {} s; answering 503", req.method(), req.path(), seconds);
        response.putHeader("Retry-After", "1");
        send(req, Problem.unavailable("the request was not answered within " + seconds + " s; retry shortly (a submit "
                + "answers for itself, so this is not one)"));
    }

    /** Requests the HTTP decoder refused (too long a line, too large headers, not HTTP): problem+json, then close. */
    private void invalid(HttpServerRequest req) {
        Throwable cause = req.decoderResult().cause();
        String message = cause == null || cause.getMessage() == null ? "" : cause.getMessage();
        Problem problem;
        if (message.startsWith("An HTTP line is larger than")) {
            problem = Problem.uriTooLong(limits.maxInitialLineLength());
        } else if (message.startsWith("HTTP header is larger than")) {
            problem = Problem.headersTooLarge(limits.maxHeaderSize());
        } else {
            problem = Problem.badRequest("the request could not be parsed as HTTP/1.1" + (message.isEmpty() ? "" : ": "
                    + message));
        }
        log.debug("refused a malformed request from {}: {}", req.remoteAddress(), message);
        req.response().putHeader("Connection", "close");
        send(req, problem).onComplete(v -> req.connection().close());
    }

    private static io.vertx.core.Future<Void> send(HttpServerRequest req, Problem problem) {
        String path;
        try {
            path = req.path();
        } catch (RuntimeException e) {
            path = null;
        }
        return req.response().setStatusCode(problem.status()).putHeader("Content-Type", Problem.CONTENT_TYPE)
                .end(problem.toJson(path));
    }
}
