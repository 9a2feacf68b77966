package io.sagalog.dispatcher;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.sagalog.engine.CallbackTokens;
import io.sagalog.engine.Phase;
import io.sagalog.engine.registry.ParticipantInfo;
import io.sagalog.schemas.avro.Outcome;
import io.sagalog.schemas.avro.StepRequest;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One HTTP participant as the dispatcher sees it: a circuit breaker (resilience4j), a concurrency limit with a
 * queue in front (the bulkhead), and an optional active health check. Everything runs on one Vert.x context, so
 * no locks are needed and nothing blocks.
 *
 * <p>A request's deadline (the attempt's timeout instant) is checked when the request leaves the queue: past it, the
 * participant is not called and the answer is {@code EXPIRED}. A call gets at most the time left to the deadline. A
 * compensation waits while an action call of the same transaction and step is in flight. What each way a call can
 * end means (succeeded, rejected, transient, unknown) is {@link HttpOutcomes}.
 */
final class ParticipantLane {
    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    /**
     * An attempt with less time than this left to its deadline is not sent (EXPIRED): its answer could not be back
     * before the engine stops waiting, and a call it gave up on would only leave the step in doubt.
     */
    static final long MIN_TIME_LEFT_MILLIS = 100;
    /** Connections kept per participant at most; the lane's concurrency limit is what bounds calls. */
    private static final int POOL_SIZE = 64;

    /** What a call produced: a result to report now, or nothing yet (the participant answers later, 202). */
    record Answer(Outcome outcome, String output, String error, boolean later) {
        static Answer of(Outcome outcome, String output, String error) {
            return new Answer(outcome, output, error, false);
        }
    }

    /** @param startedAt the wall-clock time the call leaves the queue (sent, or answered without sending) */
    /** @param trace the step attempt's trace context, sent as {@code traceparent}; null: none */
    private record Call(StepRequest request, CompletableFuture<Answer> answer, AtomicLong startedAt,
                        io.sagalog.tracing.TraceParent trace) {
        String key() {
            return request.getTxId() + '\u0000' + request.getStep();
        }

        boolean isAction() {
            return request.getPhase() == io.sagalog.schemas.avro.Phase.ACTION;
        }
    }

    private final Context context;
    private final WebClient client;
    /** The lane's own connection pool: it tells "not sent" (no connection yet) from "sent" (connection in hand). */
    private final HttpClientAgent http;
    private final CallbackTokens tokens;
    private final String callbackUrl;
    private volatile ParticipantInfo info;
    private final CircuitBreaker breaker;
    /** Where the breaker is registered (for its metrics); it leaves when the lane closes. */
    private final CircuitBreakerRegistry breakers;
    private final ArrayDeque<Call> waiting = new ArrayDeque<>();
    /** Action calls in flight per txId and step; a compensation of that step waits until they have ended. */
    private final Map<String, Integer> actionsInFlight = new HashMap<>();
    private volatile int inFlight;
    private volatile int queued;
    private long healthTimer = -1;
    private boolean draining;
    private boolean drainAgain;

    ParticipantLane(Context context, WebClient client, ParticipantInfo info, CallbackTokens tokens, String callbackUrl,
                    CircuitBreakerRegistry breakers) {
        this.context = context;
        this.breakers = breakers;
        this.client = client;
        this.info = info;
        this.tokens = tokens;
        this.callbackUrl = callbackUrl;
        this.http = context.owner().createHttpClient(new HttpClientOptions().setKeepAlive(true)
                        // Below the 5 s idle timeout of common servers (Node's default), so a pooled connection is
                        // not reused just as the server closes it: a request lost that way would be in doubt.
                        .setKeepAliveTimeout(4).setConnectTimeout(CONNECT_TIMEOUT_MILLIS),
                new PoolOptions().setHttp1MaxSize(Math.max(POOL_SIZE, info.maxConcurrency())));
        this.breaker = breakers.circuitBreaker(breakerName(info.name()), CircuitBreakerConfig.custom()
                .slidingWindowSize(10).minimumNumberOfCalls(5).failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(5)).permittedNumberOfCallsInHalfOpenState(2)
                .automaticTransitionFromOpenToHalfOpenEnabled(true).build());
        context.runOnContext(v -> startHealthCheck());
    }

    void update(ParticipantInfo newInfo) {
        boolean healthChanged = !java.util.Objects.equals(newInfo.healthUrl(), info.healthUrl());
        boolean moreRoom = newInfo.maxConcurrency() > info.maxConcurrency();
        info = newInfo;
        if (healthChanged || moreRoom) {
            context.runOnContext(v -> {
                if (healthChanged) {
                    startHealthCheck();
                }
                drain();
            });
        }
    }

    ParticipantInfo info() {
        return info;
    }

    /** Queues the request; the future completes with the participant's answer. Safe from any thread. */
    CompletableFuture<Answer> submit(StepRequest request) {
        return submit(request, new AtomicLong(-1));
    }

    /** As {@link #submit(StepRequest)}; {@code startedAt} gets the wall-clock time it leaves the queue (its wait). */
    CompletableFuture<Answer> submit(StepRequest request, AtomicLong startedAt) {
        return submit(request, startedAt, null);
    }

    /** As {@link #submit(StepRequest, AtomicLong)}; the participant gets {@code trace} as its {@code traceparent}. */
    CompletableFuture<Answer> submit(StepRequest request, AtomicLong startedAt, io.sagalog.tracing.TraceParent trace) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        context.runOnContext(v -> {
            waiting.add(new Call(request, answer, startedAt, trace));
            drain();
        });
        return answer;
    }

    /** The breaker's name in its registry and in resilience4j's metrics (tag {@code name}). */
    static String breakerName(String participant) {
        return "participant-" + participant;
    }

    String breakerState() {
        return breaker.getState().name();
    }

    int inFlight() {
        return inFlight;
    }

    int queued() {
        return queued;
    }

    /**
     * Takes calls from the queue in order while there is room. A compensation whose step still has an action call in
     * flight (an attempt the engine gave up on, say) stays queued, and so does everything after it for the same step,
     * until that call has ended and its answer has been handed on: the participant never runs a step's action and its
     * compensation at the same time, and the engine sees the action's answer first. Other calls go past it.
     */
    private void drain() {
        if (draining) { // an answer given while draining (a call that failed at once) asks again: loop instead
            drainAgain = true;
            return;
        }
        draining = true;
        try {
            do {
                drainAgain = false;
                drainOnce();
            } while (drainAgain);
        } finally {
            draining = false;
        }
    }

    private void drainOnce() {
        Set<String> held = null;
        Iterator<Call> it = waiting.iterator();
        while (inFlight < info.maxConcurrency() && it.hasNext()) {
            Call call = it.next();
            String key = call.key();
            if ((held != null && held.contains(key)) || (!call.isAction() && actionsInFlight.containsKey(key))) {
                if (held == null) {
                    held = new HashSet<>();
                }
                held.add(key);
                continue;
            }
            it.remove();
            start(call);
        }
        queued = waiting.size();
    }

    /** Sends one call, unless its deadline passed while it waited or the breaker is open. */
    private void start(Call call) {
        StepRequest request = call.request();
        long now = System.currentTimeMillis(); // deadlines are wall-clock instants
        call.startedAt().set(now);
        long deadline = request.getDeadlineMillis();
        if (deadline > 0 && deadline - now < MIN_TIME_LEFT_MILLIS) {
            call.answer().complete(Answer.of(Outcome.EXPIRED, null, "not sent: when its turn came the attempt's "
                    + "deadline " + Instant.ofEpochMilli(deadline) + (now >= deadline ? " had passed ("
                    + (now - deadline) + " ms ago)" : " was " + (deadline - now) + " ms away, too close for an "
                    + "answer to reach the engine in time") + "; nothing happened"));
            return;
        }
        Buffer payload = Buffer.buffer(ParticipantCallJson.request(request, callbackUrl, tokens));
        if (!breaker.tryAcquirePermission()) {
            call.answer().complete(Answer.of(Outcome.FAILED_TRANSIENT, null,
                    "circuit open: participant " + info.name() + " is failing or unhealthy; not called"));
            return;
        }
        ParticipantInfo p = info;
        long timeout = Math.max(1, deadline > 0 ? Math.min(p.timeout().toMillis(), deadline - now) : p.timeout().toMillis());
        inFlight++;
        if (call.isAction()) {
            actionsInFlight.merge(call.key(), 1, Integer::sum);
        }
        new ParticipantCall(context, breaker, p.url(), timeout, answer -> ended(call, answer))
                .send(http, payload, request.getIdempotencyKey(), call.trace());
    }

    /**
     * Hands the answer on first (the dispatcher appends it to the control log from this very call, so it is in the
     * log before anything this lane sends next), then lets waiting calls go, a held compensation among them.
     */
    private void ended(Call call, Answer answer) {
        inFlight--;
        if (call.isAction()) {
            actionsInFlight.computeIfPresent(call.key(), (k, n) -> n == 1 ? null : n - 1);
        }
        call.answer().complete(answer);
        drain();
    }

    /** Polls healthUrl every 2 s: a failing check opens the breaker, a passing one closes it again. */
    private void startHealthCheck() {
        if (healthTimer >= 0) {
            context.owner().cancelTimer(healthTimer);
            healthTimer = -1;
        }
        String url = info.healthUrl();
        if (url == null) {
            return;
        }
        healthTimer = context.owner().setPeriodic(0, 2_000, id -> client.getAbs(url).timeout(1_000).send().onComplete(r -> {
            boolean healthy = r.succeeded() && r.result().statusCode() >= 200 && r.result().statusCode() < 300;
            CircuitBreaker.State state = breaker.getState();
            if (!healthy && state != CircuitBreaker.State.FORCED_OPEN) {
                breaker.transitionToForcedOpenState();
            } else if (healthy && (state == CircuitBreaker.State.FORCED_OPEN || state == CircuitBreaker.State.OPEN)) {
                breaker.transitionToClosedState();
            }
        }));
    }

    void close() {
        breakers.remove(breaker.getName());
        context.runOnContext(v -> {
            if (healthTimer >= 0) {
                context.owner().cancelTimer(healthTimer);
            }
        });
        http.close();
    }
}
