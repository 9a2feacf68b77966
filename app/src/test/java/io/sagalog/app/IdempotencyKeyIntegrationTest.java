package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Idempotency-Key is scoped by definition; reusing it with another body is refused (issue 11, item 8). */
class IdempotencyKeyIntegrationTest {
    private static HttpTestNode node;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        node = HttpTestNode.start();
        for (String name : new String[] {"idem-a", "idem-b"}) {
            node.api.registerDefinition(name, """
                    {"deadline": "10m", "steps": [{"name": "only", "participant": "idem-nobody", "action": "do", "kind": "pivot"}]}""");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        node.close();
    }

    @Test
    void theKeyIsScopedByDefinitionAndAReuseWithAnotherBodyIs422() throws Exception {
        String key = "order-" + UUID.randomUUID();
        HttpResponse<String> first = submit(key, "idem-a", "{\"n\":1}");
        assertThat(first.statusCode()).isEqualTo(202);
        String txA = txId(first);
        node.api.awaitTransaction(txA, Duration.ofSeconds(30), "the engine started it", tx -> true);

        HttpResponse<String> otherDefinition = submit(key, "idem-b", "{\"n\":1}");
        assertThat(otherDefinition.statusCode()).as(otherDefinition.body()).isEqualTo(202);
        assertThat(txId(otherDefinition)).isNotEqualTo(txA);

        HttpResponse<String> otherInput = submit(key, "idem-a", "{\"n\":2}");
        assertThat(otherInput.statusCode()).as(otherInput.body()).isEqualTo(422);
        assertThat(otherInput.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(HttpTestClient.JSON.readTree(otherInput.body()).path("type").asText()).endsWith("/idempotency-key-reused");

        HttpResponse<String> same = submit(key, "idem-a", "{ \"n\" : 1 }");
        assertThat(same.statusCode()).as(same.body()).isEqualTo(202);
        assertThat(txId(same)).isEqualTo(txA);
    }

    @Test
    void aSubmitWithoutAKeyGetsOneAndARetryWithItNamesTheSameTransaction() throws Exception {
        HttpResponse<String> first = submit(null, "idem-a", "{\"m\":1}");
        assertThat(first.statusCode()).isEqualTo(202);
        String key = first.headers().firstValue("Idempotency-Key").orElse(null);
        assertThat(key).as("a server-made Idempotency-Key").isNotBlank();
        String txId = txId(first);
        HttpResponse<String> retry = submit(key, "idem-a", "{\"m\":1}");
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(202);
        assertThat(txId(retry)).isEqualTo(txId);
        assertThat(retry.headers().firstValue("Idempotency-Key")).contains(key);
    }

    private HttpResponse<String> submit(String key, String definition, String input) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.api.base + "/v1/transactions"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"definition\":\"" + definition + "\",\"input\":" + input + "}"));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String txId(HttpResponse<String> r) throws Exception {
        JsonNode body = HttpTestClient.JSON.readTree(r.body());
        return body.path("txId").asText();
    }
}
