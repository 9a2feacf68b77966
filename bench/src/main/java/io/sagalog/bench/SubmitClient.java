package io.sagalog.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Submits bench transactions the way a real client would: {@code POST /v1/transactions?wait=30s} over keep-alive
 * HTTP/1.1 connections, one request per transaction, the answer arriving once the transaction settled. Latency is
 * from submit to that answer, so it covers everything a user waits for: HTTP, the control log, the engine, every
 * step's round trip through Kafka and the participant, and the journal that wakes the waiting request.
 *
 * <p>Asynchronous (Vert.x {@code WebClient}), so one thread drives any number of outstanding requests and the load
 * generator takes little of the CPU it shares with the system under test. It runs on its own Vert.x instance with
 * one event loop, renamed {@code bench-client-eventloop} so {@link ComponentCpu} files its CPU under load rather
 * than under the ingest's Vert.x threads.
 */
final class SubmitClient implements AutoCloseable {
    /** How long ingest holds a request for its transaction to settle; the most it allows. */
    static final String WAIT = "30s";
    /** The client gives up a little after the server would have answered 202. */
    private static final long REQUEST_TIMEOUT_MS = Duration.ofSeconds(40).toMillis();
    private static final String EVENT_LOOP_NAME = "bench-client-eventloop";

    private final WebClient client;
    private final Workload workload;
    private final AtomicLong settled = new AtomicLong();

    /**
     * @param connections the pool size: the clients of a closed loop, or what an open loop may have outstanding
     */
    SubmitClient(Vertx vertx, int port, int connections, Workload workload) {
        this.workload = workload;
        this.client = WebClient.create(vertx, new WebClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1)
                        .setKeepAlive(true).setPipelining(false).setDefaultHost("127.0.0.1").setDefaultPort(port),
                new PoolOptions().setHttp1MaxSize(connections));
    }

    /** A Vert.x instance for clients: one event loop, named so its CPU counts as load. */
    static Vertx clientVertx() throws InterruptedException {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
        CompletableFuture<Void> renamed = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            Thread.currentThread().setName(EVENT_LOOP_NAME);
            renamed.complete(null);
        });
        try {
            renamed.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the bench client's Vert.x did not start: " + e, e);
        }
        return vertx;
    }

    /**
     * Submits transaction {@code seq} and completes with its final status when it settled as the workload expects,
     * exceptionally otherwise (HTTP error, 202 because the wait ran out, wrong final status).
     */
    CompletionStage<String> submit(long seq) {
        String expected = workload.expectedStatus(seq);
        Buffer body = Buffer.buffer(workload.requestBody(seq).getBytes(StandardCharsets.UTF_8));
        return client.post("/v1/transactions?wait=" + WAIT)
                .putHeader("Content-Type", "application/json")
                .timeout(REQUEST_TIMEOUT_MS)
                .sendBuffer(body)
                .map(resp -> {
                    String status = TransactionAnswer.check(resp.statusCode(), resp.bodyAsString(), expected);
                    settled.incrementAndGet();
                    return status;
                })
                .toCompletionStage();
    }

    /** Transactions that settled as expected so far, counted when their answer arrived. */
    long settled() {
        return settled.get();
    }

    @Override
    public void close() {
        client.close();
    }
}
