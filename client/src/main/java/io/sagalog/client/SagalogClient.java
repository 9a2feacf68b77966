package io.sagalog.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.client.internal.Exchange;
import io.sagalog.client.internal.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Sagalog's HTTP API from Java: submit transactions, read them, wait for them, list them and act on them as an
 * operator. Thread-safe; make one per server and token and share it.
 *
 * <pre>{@code
 * SagalogClient client = SagalogClient.builder(URI.create("http://127.0.0.1:8080")).token(token).build();
 * Submission s = client.submit("trip-booking", Map.of("traveller", "Ada"), "order-4711");
 * Transaction tx = client.await(s.txId(), Duration.ofSeconds(30));
 * }</pre>
 *
 * <p>Every method blocks the calling thread until the answer came (or its timeout passed). Every error answer is
 * thrown as a {@link ProblemException} carrying the server's problem+json; a server that could not be reached as a
 * {@link SagalogException}.
 */
public final class SagalogClient {
    /** The longest the server waits within one request ({@code ?wait=}); longer waits are several requests. */
    public static final Duration MAX_SERVER_WAIT = Duration.ofSeconds(30);
    /** How long {@link #await} pauses between reads when the server answered at once (it does not support waits). */
    private static final Duration POLL_PAUSE = Duration.ofMillis(250);
    /** The pause before retrying a submit that failed without a {@code Retry-After}. */
    private static final Duration DEFAULT_RETRY_PAUSE = Duration.ofSeconds(1);

    private final URI base;
    private final String authorization;
    private final Duration requestTimeout;
    private final HttpClient http;

    private SagalogClient(Builder b) {
        String uri = b.base.toString();
        this.base = URI.create(uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri);
        this.authorization = b.token == null ? null : "Bearer " + b.token;
        this.requestTimeout = b.requestTimeout;
        this.http = b.http != null ? b.http
                : HttpClient.newBuilder().connectTimeout(b.connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** A builder for a client of the server at {@code baseUri}, e.g. {@code http://127.0.0.1:8080}. */
    public static Builder builder(URI baseUri) {
        return new Builder(Objects.requireNonNull(baseUri, "baseUri"));
    }

    /**
     * Submits a transaction ({@code POST /v1/transactions}) and returns once Kafka acknowledged it.
     *
     * @param definition the name of a registered definition
     * @param input a JSON object: a {@link JsonNode}, a {@code Map}, a record or bean, or JSON text as a String
     * @param idempotencyKey 1 to 255 characters; the same key with the same definition and input answers with the same
     *                       transaction and starts nothing. Null: the server makes one ({@link Submission#idempotencyKey()})
     * @throws ProblemException 422 for an unknown definition, a bad input or a key reused with another input
     *                          ({@code idempotency-key-reused}); {@link OverloadedException} and other 503s, after
     *                          which the same submit with the same key is safe
     */
    public Submission submit(String definition, Object input, String idempotencyKey) {
        Exchange.Answer a = Exchange.send(http, submitRequest(definition, input, idempotencyKey, null));
        return new Submission(a.body().path("txId").asText(), status(a.body()),
                a.headers().firstValue("Idempotency-Key").orElse(idempotencyKey));
    }

    /**
     * Submits like {@link #submit} and waits until the transaction settled ({@link Transaction#isSettled()}) or
     * {@code wait} has passed, whichever comes first; returns what it is then.
     */
    public Transaction submitAndWait(String definition, Object input, String idempotencyKey, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        Duration first = min(wait, MAX_SERVER_WAIT);
        Transaction tx = read(Exchange.send(http, submitRequest(definition, input, idempotencyKey, first)).body());
        Duration left = remaining(deadline);
        return tx.isSettled() || left.isZero() ? tx : await(tx.txId(), left);
    }

    /**
     * Submits like {@link #submit}, and while the server answers 503 (overloaded, unavailable, or outcome unknown)
     * or cannot be reached, submits again with the same idempotency key after the {@code Retry-After} it asked for,
     * until {@code giveUpAfter} has passed. That is safe because the key makes every repeat answer with the one
     * transaction (once one was recorded).
     *
     * @param idempotencyKey the key every attempt sends; null: one is made here (a random UUID)
     * @throws ProblemException the last 503 when the next attempt would come after {@code giveUpAfter}, or at once
     *                          any other error answer
     */
    public Submission submitRetryingOverload(String definition, Object input, String idempotencyKey,
                                             Duration giveUpAfter) {
        String key = idempotencyKey != null ? idempotencyKey : UUID.randomUUID().toString();
        long deadline = System.nanoTime() + giveUpAfter.toNanos();
        while (true) {
            Duration pause;
            try {
                return submit(definition, input, key);
            } catch (ProblemException e) {
                if (!e.isRetryableSubmit()) {
                    throw e;
                }
                pause = e.retryAfter().orElse(DEFAULT_RETRY_PAUSE);
                if (pause.compareTo(remaining(deadline)) > 0) {
                    throw e;
                }
            } catch (SagalogException e) {
                pause = DEFAULT_RETRY_PAUSE; // no answer: it may or may not have arrived, and the key settles which
                if (pause.compareTo(remaining(deadline)) > 0) {
                    throw e;
                }
            }
            sleep(pause);
        }
    }

    /**
     * Reads a transaction ({@code GET /v1/transactions/{txId}}).
     *
     * @throws NotFoundException 404 when it is not known (one accepted a moment ago may not be started yet), 410
     *                           when it expired and was archived
     */
    public Transaction get(String txId) {
        return read(Exchange.send(http, get(path(txId), Duration.ZERO)).body());
    }

    /**
     * Waits until the transaction settled ({@link Transaction#isSettled()}: final or PARKED) or {@code timeout} has
     * passed, and returns it as it is then. The server holds each read up to {@link #MAX_SERVER_WAIT}
     * ({@code ?wait=}), so this does not poll; a transaction not started yet is waited for too.
     *
     * @throws NotFoundException when it is still unknown once {@code timeout} has passed
     */
    public Transaction await(String txId, Duration timeout) {
        return await(txId, -1, timeout);
    }

    /**
     * Waits like {@link #await(String, Duration)}, for a settled state with events after {@code afterSeq}: after an
     * action on a PARKED transaction, pass the {@link Transaction#lastSeq()} acted on, so the wait is for what the
     * action led to rather than the PARKED state it left (which the engine may not have applied the action to yet).
     */
    public Transaction await(String txId, long afterSeq, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Duration wait = min(remaining(deadline), MAX_SERVER_WAIT);
            long start = System.nanoTime();
            Transaction tx = null;
            try {
                tx = read(Exchange.send(http, get(path(txId), wait)).body());
            } catch (NotFoundException e) {
                if (e.status() != 404 || remaining(deadline).isZero()) {
                    throw e;
                }
            }
            boolean moved = afterSeq < 0 || tx != null && tx.lastSeq().orElse(-1) > afterSeq;
            if (tx != null && (tx.isSettled() && moved || remaining(deadline).isZero())) {
                return tx;
            }
            if (System.nanoTime() - start < wait.toNanos() / 2) {
                sleep(min(POLL_PAUSE, remaining(deadline))); // answered at once: do not spin
            }
        }
    }

    /** One page of transactions, newest first ({@code GET /v1/transactions}); needs the viewer or operator role. */
    public TransactionPage list(ListQuery query) {
        List<String> params = new ArrayList<>();
        add(params, "status", query.status() == null ? null : query.status().name());
        add(params, "definition", query.definition());
        add(params, "olderThan", query.olderThan() == null ? null : query.olderThan().toMillis() + "ms");
        add(params, "cursor", query.cursor());
        add(params, "limit", query.limit() == null ? null : query.limit().toString());
        String path = "/v1/transactions" + (params.isEmpty() ? "" : "?" + String.join("&", params));
        return Json.convert(Exchange.send(http, get(path, Duration.ZERO)).body(), TransactionPage.class);
    }

    /**
     * An operator action on one transaction ({@code POST /v1/transactions/{txId}/actions}); needs the operator role.
     * Sending the same request again (same {@link ActionRequest#actionId()}) applies it once.
     *
     * @throws StaleTransactionException when {@link ActionRequest#expectedSeq()} is set and the transaction moved on
     * @throws ConflictException when the action does not fit the transaction's state (the detail says why)
     */
    public ActionAccepted act(String txId, ActionRequest action) {
        ObjectNode body = Json.action(action.action().wireName(), action.reason(), action.actionId(), action.step(),
                action.output(), action.force(), action.expectedSeq());
        HttpRequest request = request(path(txId) + "/actions", Duration.ZERO)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return Json.convert(Exchange.send(http, request).body(), ActionAccepted.class);
    }

    private HttpRequest submitRequest(String definition, Object input, String key, Duration wait) {
        Objects.requireNonNull(definition, "definition");
        ObjectNode body = Json.MAPPER.createObjectNode().put("definition", definition);
        body.set("input", Json.input(input));
        HttpRequest.Builder r = request("/v1/transactions" + (wait == null ? "" : "?wait=" + wait.toMillis() + "ms"),
                wait == null ? Duration.ZERO : wait).header("Content-Type", "application/json");
        if (key != null) {
            r.header("Idempotency-Key", key);
        }
        return r.POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    private HttpRequest get(String path, Duration wait) {
        return request(path + (wait.isZero() ? "" : "?wait=" + wait.toMillis() + "ms"), wait).GET().build();
    }

    /** A request to the path, given the request timeout plus the time the server may wait within it. */
    private HttpRequest.Builder request(String path, Duration serverWait) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(requestTimeout.plus(serverWait))
                .header("Accept", "application/json, application/problem+json");
        return authorization == null ? r : r.header("Authorization", authorization);
    }

    private static String path(String txId) {
        return "/v1/transactions/" + URLEncoder.encode(Objects.requireNonNull(txId, "txId"), StandardCharsets.UTF_8);
    }

    private static void add(List<String> params, String name, String value) {
        if (value != null) {
            params.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }

    private static TransactionStatus status(JsonNode body) {
        return Json.convert(body.path("status"), TransactionStatus.class);
    }

    private static Transaction read(JsonNode body) {
        return Json.convert(body, Transaction.class);
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SagalogException("interrupted while waiting", e);
        }
    }

    /** How to reach the server and how long to wait for it. */
    public static final class Builder {
        private final URI base;
        private String token;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private HttpClient http;

        private Builder(URI base) {
            this.base = base;
        }

        /** The bearer token every call sends (its roles decide what the client may do). */
        public Builder token(String bearerToken) {
            this.token = bearerToken;
            return this;
        }

        /** How long opening a connection may take (default 5 s). Ignored with {@link #httpClient}. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** How long one call may take until its answer (default 30 s), on top of any time the server is asked to wait. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** Your own {@link HttpClient} (TLS settings, proxy, executor); it should not follow redirects. */
        public Builder httpClient(HttpClient client) {
            this.http = Objects.requireNonNull(client);
            return this;
        }

        /** The client; it holds no connection until the first call. */
        public SagalogClient build() {
            return new SagalogClient(this);
        }
    }
}
