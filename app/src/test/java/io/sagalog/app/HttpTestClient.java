package io.sagalog.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;

/** A plain HTTP client for the Sagalog API, as any user would call it. */
final class HttpTestClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FINAL = Set.of("COMPLETED", "ROLLED_BACK", "PARKED");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    HttpTestClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    HttpResponse<String> post(String path, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> submit(String json) throws Exception {
        return post("/v1/transactions", "application/json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * POST /v1/transactions as a well-behaved client does: a 503 {@code overloaded} recorded nothing and says "retry
     * later", so it is sent again (up to a minute) instead of failing a test that is not about overload because the
     * shared machine was busy. Any other answer is returned as it is.
     */
    HttpResponse<String> submitRetryingOverload(String json) throws Exception {
        return retryingOverload(() -> submit(json));
    }

    /** Sends {@code request} again while it answers 503 {@code overloaded} (nothing recorded), for up to a minute. */
    static HttpResponse<String> retryingOverload(java.util.concurrent.Callable<HttpResponse<String>> request) {
        @SuppressWarnings("unchecked")
        HttpResponse<String>[] last = new HttpResponse[1];
        org.awaitility.Awaitility.await("an answer other than 503 overloaded").atMost(Duration.ofSeconds(60))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500)).until(() -> {
                    last[0] = request.call();
                    return !(last[0].statusCode() == 503 && last[0].body().contains("/problems/overloaded"));
                });
        return last[0];
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Polls the transaction until it reaches a final status, and returns it. */
    JsonNode awaitFinal(String txId, Duration timeout) throws Exception {
        JsonNode[] last = new JsonNode[1];
        try {
            return org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> {
                HttpResponse<String> r = get("/v1/transactions/" + txId);
                if (r.statusCode() == 200) {
                    last[0] = JSON.readTree(r.body());
                }
                return last[0];
            }, tx -> tx != null && FINAL.contains(tx.path("status").asText()));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("transaction " + txId + " did not finish within " + timeout + "; last seen: "
                    + last[0], e);
        }
    }
}
