package io.sagalog.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

/**
 * The load of {@code sagalog bench-overload}: submits without waiting for the outcome (an open loop paced by the
 * clock, whatever the answers) or with {@code ?wait} (a closed loop, to find the capacity), counting the answers
 * by kind. Runs on the bench's own client Vert.x, so its CPU counts as load.
 */
final class OverloadLoad implements AutoCloseable {
    /** Outstanding submits at most; beyond this the open loop counts "not sent" instead of piling up requests. */
    static final int MAX_OUTSTANDING = 4_000;

    private final WebClient client;
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong other = new AtomicLong();
    final AtomicLong notSent = new AtomicLong();
    final AtomicLong settled = new AtomicLong();
    private final AtomicLong outstanding = new AtomicLong();

    OverloadLoad(Vertx vertx, int port) {
        this.client = WebClient.create(vertx, new WebClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1)
                        .setKeepAlive(true).setDefaultHost("127.0.0.1").setDefaultPort(port).setConnectTimeout(5_000),
                new PoolOptions().setHttp1MaxSize(512).setMaxWaitQueueSize(MAX_OUTSTANDING));
    }

    /** One submit; completes when it is answered (or fails), counting the answer. */
    CompletableFuture<Integer> submit(String body, boolean wait) {
        outstanding.incrementAndGet();
        CompletableFuture<Integer> done = new CompletableFuture<>();
        client.post("/v1/transactions" + (wait ? "?wait=30s" : "")).putHeader("Content-Type", "application/json")
                .timeout(40_000).sendBuffer(Buffer.buffer(body)).onComplete(ar -> {
                    outstanding.decrementAndGet();
                    int status = ar.succeeded() ? ar.result().statusCode() : -1;
                    if (status == 202 || status == 200) {
                        accepted.incrementAndGet();
                        if (wait && ar.result().bodyAsString().contains("\"status\":\"COMPLETED\"")) {
                            settled.incrementAndGet();
                        }
                    } else if (status == 503) {
                        refused.incrementAndGet();
                    } else {
                        other.incrementAndGet();
                    }
                    done.complete(status);
                });
        return done;
    }

    /**
     * Submits {@code perSecond} a second until {@code stop} is set or {@code untilNanos} passes, paced by the clock:
     * late answers never slow it down (an open loop), only the outstanding cap does.
     *
     * @param body the request body of submit number n
     */
    void openLoop(double perSecond, long untilNanos, AtomicBoolean stop, LongFunction<String> body, AtomicLong seq) {
        long start = System.nanoTime();
        long issued = 0;
        while (!stop.get() && System.nanoTime() < untilNanos) {
            long due = (long) ((System.nanoTime() - start) / 1e9 * perSecond);
            for (; issued < due; issued++) {
                if (outstanding.get() >= MAX_OUTSTANDING) {
                    notSent.incrementAndGet();
                    continue;
                }
                submit(body.apply(seq.getAndIncrement()), false);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** {@code clients} loops, each submitting with {@code ?wait} and the next one once answered, until stopped. */
    void closedLoop(int clients, AtomicBoolean stop, LongFunction<String> body, AtomicLong seq) {
        for (int i = 0; i < clients; i++) {
            next(stop, body, seq);
        }
    }

    private void next(AtomicBoolean stop, LongFunction<String> body, AtomicLong seq) {
        if (stop.get()) {
            return;
        }
        submit(body.apply(seq.getAndIncrement()), true).whenComplete((s, e) -> next(stop, body, seq));
    }

    long outstanding() {
        return outstanding.get();
    }

    /** GET a path of the node; its body, or null when it did not answer 200 within 10 s. */
    String get(String path) {
        CompletableFuture<String> body = new CompletableFuture<>();
        client.get(path).timeout(10_000).send().onComplete(ar -> body.complete(
                ar.succeeded() && ar.result().statusCode() == 200 ? ar.result().bodyAsString() : null));
        try {
            return body.get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    /** PUT a JSON body; the status. */
    int put(String path, String json) throws Exception {
        CompletableFuture<Integer> status = new CompletableFuture<>();
        client.put(path).putHeader("Content-Type", "application/json").timeout(10_000)
                .sendBuffer(Buffer.buffer(json)).onComplete(ar -> status.complete(ar.succeeded() ? ar.result().statusCode() : -1));
        return status.get(15, TimeUnit.SECONDS);
    }

    /** The sum of every sample of a metric in a Prometheus text (any labels matching {@code labelPart}). */
    static double metric(String text, String name, String labelPart) {
        double sum = 0;
        if (text == null) {
            return Double.NaN;
        }
        for (String line : text.split("\n")) {
            if (line.startsWith(name) && (line.charAt(name.length()) == '{' || line.charAt(name.length()) == ' ')
                    && line.contains(labelPart)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    @Override
    public void close() {
        client.close();
    }
}
