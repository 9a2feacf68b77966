package io.sagalog.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.TransactionQueries;
import io.sagalog.engine.TransactionQueries.Endpoint;
import io.sagalog.engine.TransactionPage;
import io.sagalog.engine.TransactionView;
import io.sagalog.engine.TxStatus;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request about a transaction another instance owns, when that instance is paused: its kernel accepts the
 * connection and the request, and nothing ever comes back (what a SIGSTOPped engine does; here a server that reads
 * requests and never answers). The forwarding instance answers 503 problem+json quickly instead of holding the
 * caller; an owner that answers (the positive control, same route) is relayed.
 */
class OwnerForwardingTest {
    private Vertx vertx;
    private HttpServer silentOwner;
    private HttpServer answeringOwner;
    private HttpServer node;
    private final AtomicInteger silentGotRequests = new AtomicInteger();
    private volatile Endpoint owner;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        silentOwner = vertx.createHttpServer().requestHandler(req -> silentGotRequests.incrementAndGet()) // never ends
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        answeringOwner = vertx.createHttpServer().requestHandler(req -> req.response()
                        .putHeader("Content-Type", "application/json").end("{\"status\":\"COMPLETED\"}"))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        OwnerForwarding forwarding = new OwnerForwarding(vertx, new Owned());
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create());
        router.route("/v1/transactions/:txId*").handler(ctx -> {
            if (!forwarding.forwardToOwner(ctx, ctx.pathParam("txId"))) {
                ctx.response().setStatusCode(500).end("answered locally, but another instance owns it");
            }
        });
        node = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /**
     * The positive control, on the same route: an owner that answers is relayed. Also warms the path up, so the
     * timings below are the forwarding's, not a cold JVM's on a busy machine (they get {@link #SLACK} on top).
     */
    private void relayedFromAnAnsweringOwner() throws Exception {
        owner = new Endpoint("127.0.0.1", answeringOwner.actualPort());
        HttpResponse<String> relayed = get("/v1/transactions/tx-0");
        assertThat(relayed.statusCode()).as("an owner that answers is relayed").isEqualTo(200);
        assertThat(relayed.body()).contains("COMPLETED");
    }

    /** Scheduling delay allowed on a loaded machine (CI shares 2 cores); the old forwarding held a caller 30 s. */
    private static final Duration SLACK = Duration.ofSeconds(10);

    @Test
    void shouldAnswer503WithinTheReadTimeoutWhenTheOwnerIsPaused() throws Exception {
        relayedFromAnAnsweringOwner();
        owner = new Endpoint("127.0.0.1", silentOwner.actualPort());
        long t0 = System.nanoTime();
        HttpResponse<String> r = get("/v1/transactions/tx-1");
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(silentGotRequests.get()).as("the paused owner took the request").isEqualTo(1);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(r.headers().firstValue("Retry-After")).contains("1");
        assertThat(r.body()).contains("held by engine instance 127.0.0.1:" + silentOwner.actualPort()).contains("retry shortly");
        assertThat(r.body()).contains("did not answer within " + OwnerForwarding.READ_TIMEOUT.toMillis() + " ms");
        assertThat(took).isGreaterThanOrEqualTo(OwnerForwarding.READ_TIMEOUT).isLessThan(OwnerForwarding.READ_TIMEOUT.plus(SLACK));
    }

    @Test
    void shouldWaitForTheOwnerNoLongerThanTheRequestedWaitPlusTheReadTimeout() throws Exception {
        relayedFromAnAnsweringOwner();
        owner = new Endpoint("127.0.0.1", silentOwner.actualPort());
        long t0 = System.nanoTime();
        HttpResponse<String> r = get("/v1/transactions/tx-2?wait=1s");
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("did not answer within " + (1000 + OwnerForwarding.READ_TIMEOUT.toMillis()) + " ms");
        assertThat(took).as(r.body()).isGreaterThanOrEqualTo(OwnerForwarding.READ_TIMEOUT.plusSeconds(1))
                .isLessThan(OwnerForwarding.READ_TIMEOUT.plusSeconds(1).plus(SLACK));
    }

    @Test
    void shouldAnswer503SayingTheOutcomeIsUnknownWhenAPausedOwnerGotAnAction() throws Exception {
        relayedFromAnAnsweringOwner();
        owner = new Endpoint("127.0.0.1", silentOwner.actualPort());
        long t0 = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.actualPort()
                        + "/v1/transactions/tx-3/actions")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"retry\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(r.body()).contains("may or may not have been recorded");
        assertThat(took).isLessThan(OwnerForwarding.ACTION_TIMEOUT.plus(SLACK));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.actualPort() + path))
                .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every transaction is owned by {@link #owner}; this instance is another one. */
    private final class Owned implements TransactionQueries {
        @Override
        public Optional<TransactionView> find(String txId) {
            return Optional.empty();
        }

        @Override
        public TransactionPage list(TxStatus status, String definition, String after, Instant createdBefore, int limit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<TransactionPage.Count> counts() {
            return List.of();
        }

        @Override
        public Optional<Endpoint> ownerOf(String txId) {
            return Optional.of(owner);
        }

        @Override
        public List<Endpoint> instances() {
            return List.of(self(), owner);
        }

        @Override
        public Endpoint self() {
            return new Endpoint("127.0.0.1", 1);
        }
    }
}
