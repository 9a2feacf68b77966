package io.sagalog.dispatcher;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.sagalog.dispatcher.ParticipantLane.Answer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One call to an HTTP participant on its way: it takes a connection from the lane's pool, sends the request, reads
 * the answer within its limits and ends exactly once: by an answer, a broken connection or its timer. Each end is
 * told to the breaker and classified by {@link HttpOutcomes}. Runs on the lane's context only.
 */
final class ParticipantCall {
    private final Context context;
    private final CircuitBreaker breaker;
    private final String url;
    private final long timeoutMillis;
    /** Told the answer once, when the call ends. */
    private final Consumer<Answer> ended;
    private final long started = System.nanoTime();
    private long timer = -1;
    private HttpClientRequest request;
    private boolean finished;

    ParticipantCall(Context context, CircuitBreaker breaker, String url, long timeoutMillis, Consumer<Answer> ended) {
        this.context = context;
        this.breaker = breaker;
        this.url = url;
        this.timeoutMillis = timeoutMillis;
        this.ended = ended;
    }

    /**
     * POSTs {@code payload} with its idempotency key and the attempt's {@code traceparent} (null: none); the call's own
     * timer bounds the wait for a connection too.
     */
    void send(HttpClientAgent http, Buffer payload, String idempotencyKey, io.sagalog.tracing.TraceParent trace) {
        timer = context.owner().setTimer(timeoutMillis, id -> timedOut());
        Future<HttpClientRequest> connecting;
        try {
            connecting = http.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
                    .setFollowRedirects(false));
        } catch (RuntimeException e) { // a url the client cannot use
            breaker.onError(elapsedNanos(), TimeUnit.NANOSECONDS, e);
            finish(HttpOutcomes.notSent(url, e));
            return;
        }
        connecting.onComplete(connected -> {
            if (connected.failed()) {
                if (finished) {
                    return;
                }
                breaker.onError(elapsedNanos(), TimeUnit.NANOSECONDS, connected.cause());
                finish(HttpOutcomes.notSent(url, connected.cause()));
                return;
            }
            HttpClientRequest req = connected.result();
            if (finished) { // the call's time ran out while it waited for a connection: a late connection is dropped
                req.reset();
                return;
            }
            request = req;
            req.putHeader("Content-Type", "application/json")
                    .putHeader("Idempotency-Key", idempotencyKey);
            if (trace != null) {
                req.putHeader(io.sagalog.tracing.TraceParent.HEADER, trace.header());
            }
            req.send(payload)
                    .onComplete(sent -> {
                        if (sent.failed()) {
                            if (!finished) {
                                breaker.onError(elapsedNanos(), TimeUnit.NANOSECONDS, sent.cause());
                                finish(HttpOutcomes.lostAfterSending(url, sent.cause()));
                            }
                            return;
                        }
                        read(sent.result());
                    });
        });
    }

    /** Reads the answer's body within its limit, then classifies it. */
    private void read(HttpClientResponse response) {
        if (finished) {
            return;
        }
        int status = response.statusCode();
        boolean success = status >= 200 && status < 300;
        int limit = success ? HttpOutcomes.MAX_OUTPUT_BYTES : HttpOutcomes.MAX_ERROR_BYTES;
        String effect = response.getHeader(HttpOutcomes.EFFECT_HEADER);
        String location = response.getHeader("Location");
        Buffer body = Buffer.buffer();
        long[] seen = {0};
        response.exceptionHandler(error -> {
            if (!finished) {
                breaker.onError(elapsedNanos(), TimeUnit.NANOSECONDS, error);
                finish(HttpOutcomes.lostAfterSending(url, error));
            }
        });
        String declared = response.getHeader("Content-Length");
        if (success && status != 202 && declared != null && parseLong(declared) > limit) {
            breaker.onSuccess(elapsedNanos(), TimeUnit.NANOSECONDS);
            finish(HttpOutcomes.outputTooLarge(status, 0));
            request.reset();
            return;
        }
        response.handler(chunk -> {
            if (finished) {
                return;
            }
            seen[0] += chunk.length();
            if (body.length() < limit) {
                body.appendBuffer(chunk, 0, Math.min(chunk.length(), limit - body.length()));
            }
            if (success && status != 202 && seen[0] > limit) {
                breaker.onSuccess(elapsedNanos(), TimeUnit.NANOSECONDS);
                finish(HttpOutcomes.outputTooLarge(status, seen[0]));
                request.reset(); // the rest is not wanted; do not read it
            }
        });
        response.endHandler(v -> {
            if (finished) {
                return;
            }
            if (HttpOutcomes.countsAsError(status)) {
                breaker.onError(elapsedNanos(), TimeUnit.NANOSECONDS, new IllegalStateException("HTTP " + status));
            } else {
                breaker.onSuccess(elapsedNanos(), TimeUnit.NANOSECONDS);
            }
            finish(HttpOutcomes.ofResponse(status, effect, location, body.toString(), seen[0] > limit));
        });
    }

    private long elapsedNanos() {
        return System.nanoTime() - started;
    }

    private void timedOut() {
        if (finished) {
            return;
        }
        breaker.onError(elapsedNanos(), TimeUnit.NANOSECONDS, new TimeoutException());
        if (request == null) {
            finish(HttpOutcomes.noConnectionInTime(url, timeoutMillis));
        } else {
            finish(HttpOutcomes.noAnswerInTime(url, timeoutMillis));
            request.reset();
        }
    }

    private void finish(Answer answer) {
        finished = true;
        if (timer >= 0) {
            context.owner().cancelTimer(timer);
        }
        ended.accept(answer);
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
