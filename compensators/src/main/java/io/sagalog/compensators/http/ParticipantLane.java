package io.sagalog.compensators.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.sagalog.engine.CallbackTokens;
import io.sagalog.engine.Phase;
import io.sagalog.engine.registry.ParticipantInfo;
import io.sagalog.schemas.avro.Outcome;
import io.sagalog.schemas.avro.StepRequest;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP participant as the dispatcher sees it: a circuit breaker (resilience4j), a concurrency limit with a
 * queue in front (the bulkhead), and an optional active health check. Everything runs on one Vert.x context, so
 * no locks are needed and nothing blocks.
 */
final class ParticipantLane {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REASON = 1_000;

    /** What a call produced: a result to report now, or nothing yet (the participant answers later, 202). */
    record Answer(Outcome outcome, String output, String error, boolean later) {
        static Answer of(Outcome outcome, String output, String error) {
            return new Answer(outcome, output, error, false);
        }
    }

    private record Call(StepRequest request, CompletableFuture<Answer> answer) {}

    private final Context context;
    private final WebClient client;
    private final CallbackTokens tokens;
    private final String callbackUrl;
    private volatile ParticipantInfo info;
    private final CircuitBreaker breaker;
    private final Queue<Call> waiting = new ArrayDeque<>();
    private volatile int inFlight;
    private long healthTimer = -1;

    ParticipantLane(Context context, WebClient client, ParticipantInfo info, CallbackTokens tokens, String callbackUrl) {
        this.context = context;
        this.client = client;
        this.info = info;
        this.tokens = tokens;
        this.callbackUrl = callbackUrl;
        this.breaker = CircuitBreaker.of("participant-" + info.name(), CircuitBreakerConfig.custom()
                .slidingWindowSize(10).minimumNumberOfCalls(5).failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(5)).permittedNumberOfCallsInHalfOpenState(2)
                .automaticTransitionFromOpenToHalfOpenEnabled(true).build());
        context.runOnContext(v -> startHealthCheck());
    }

    void update(ParticipantInfo newInfo) {
        boolean healthChanged = !java.util.Objects.equals(newInfo.healthUrl(), info.healthUrl());
        info = newInfo;
        if (healthChanged) {
            context.runOnContext(v -> startHealthCheck());
        }
    }

    ParticipantInfo info() {
        return info;
    }

    /** Queues the request; the future completes with the participant's answer. Safe from any thread. */
    CompletableFuture<Answer> submit(StepRequest request) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        context.runOnContext(v -> {
            waiting.add(new Call(request, answer));
            drain();
        });
        return answer;
    }

    String breakerState() {
        return breaker.getState().name();
    }

    int inFlight() {
        return inFlight;
    }

    int queued() {
        return waiting.size();
    }

    private void drain() {
        while (inFlight < info.maxConcurrency() && !waiting.isEmpty()) {
            Call call = waiting.poll();
            if (!breaker.tryAcquirePermission()) {
                call.answer().complete(Answer.of(Outcome.FAILED_TRANSIENT, null,
                        "circuit open: participant " + info.name() + " is failing or unhealthy; not called"));
                continue;
            }
            inFlight++;
            long started = System.nanoTime();
            client.postAbs(info.url()).timeout(info.timeout().toMillis()).putHeader("Content-Type", "application/json")
                    .putHeader("Idempotency-Key", call.request().getIdempotencyKey())
                    .sendBuffer(Buffer.buffer(body(call.request())))
                    .onComplete(done -> {
                        inFlight--;
                        long elapsed = System.nanoTime() - started;
                        Answer answer;
                        if (done.failed()) {
                            breaker.onError(elapsed, TimeUnit.NANOSECONDS, done.cause());
                            answer = Answer.of(Outcome.FAILED_TRANSIENT, null, "call to " + info.url() + " failed: "
                                    + done.cause().getClass().getSimpleName() + ": " + done.cause().getMessage());
                        } else {
                            answer = classify(done.result(), elapsed);
                        }
                        call.answer().complete(answer);
                        drain();
                    });
        }
    }

    /** The HTTP protocol: 2xx success, 202 later, 409/422 rejection, anything else transient. */
    private Answer classify(HttpResponse<Buffer> response, long elapsedNanos) {
        int status = response.statusCode();
        String text = response.body() == null ? "" : response.bodyAsString();
        if (status == 202) {
            breaker.onSuccess(elapsedNanos, TimeUnit.NANOSECONDS);
            return new Answer(null, null, null, true);
        }
        if (status >= 200 && status < 300) {
            breaker.onSuccess(elapsedNanos, TimeUnit.NANOSECONDS);
            return Answer.of(Outcome.SUCCEEDED, asJson(text), null);
        }
        if (status == 409 || status == 422) {
            // A business answer: the participant is healthy, it said no.
            breaker.onSuccess(elapsedNanos, TimeUnit.NANOSECONDS);
            return Answer.of(Outcome.FAILED_PERMANENT, null, reason(status, text));
        }
        breaker.onError(elapsedNanos, TimeUnit.NANOSECONDS, new IllegalStateException("HTTP " + status));
        return Answer.of(Outcome.FAILED_TRANSIENT, null, reason(status, text));
    }

    private String body(StepRequest r) {
        ObjectNode body = JSON.createObjectNode().put("txId", r.getTxId()).put("definition", r.getDefinition())
                .put("step", r.getStep()).put("phase", r.getPhase().name().toLowerCase(java.util.Locale.ROOT))
                .put("action", r.getHandler()).put("attempt", r.getAttempt()).put("idempotencyKey", r.getIdempotencyKey())
                .put("deadline", java.time.Instant.ofEpochMilli(r.getDeadlineMillis()).toString());
        body.set("input", tree(r.getInput()));
        body.set("context", tree(r.getContext()));
        body.putObject("callback").put("url", callbackUrl)
                .put("token", tokens.issue(r.getTxId(), r.getStep(), Phase.valueOf(r.getPhase().name()), r.getAttempt()));
        return body.toString();
    }

    private static com.fasterxml.jackson.databind.JsonNode tree(String json) {
        try {
            return JSON.readTree(json == null || json.isEmpty() ? "null" : json);
        } catch (JsonProcessingException e) {
            return JSON.getNodeFactory().textNode(json);
        }
    }

    /** The participant's body as JSON text; text that is not JSON becomes a JSON string; empty becomes null. */
    private static String asJson(String text) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(text).toString();
        } catch (JsonProcessingException e) {
            return JSON.getNodeFactory().textNode(text).toString();
        }
    }

    private static String reason(int status, String text) {
        String t = text.length() > MAX_REASON ? text.substring(0, MAX_REASON) + "..." : text;
        return "HTTP " + status + (t.isBlank() ? "" : ": " + t);
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
        context.runOnContext(v -> {
            if (healthTimer >= 0) {
                context.owner().cancelTimer(healthTimer);
            }
        });
    }
}
