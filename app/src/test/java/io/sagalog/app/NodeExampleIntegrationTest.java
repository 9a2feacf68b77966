package io.sagalog.app;

import static io.sagalog.app.HttpTestNode.Api.history;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Node example ({@code examples/trip-booking-node}) as its README tells it: {@code node server.js <port>}
 * runs as a real process, and the {@code PUT} and {@code POST} bodies are taken from the README's curl commands
 * (with the example's port replaced), so the README cannot drift from what works.
 */
@Tag("integration")
class NodeExampleIntegrationTest {
    private static final Duration FINISH = Duration.ofSeconds(30);
    private static final String CURL = "curl -s -X %s localhost:18080(%s) -H 'Content-Type: application/json' \\\\\\s+"
            + "(?:-H \"Authorization: Bearer \\$[A-Z]+\" \\\\\\s+)?-d '([^']*)'";
    private static final Pattern PUT = Pattern.compile(String.format(CURL, "PUT", "/v1/(?:participants|definitions)/[\\w.-]+"));
    private static final Pattern POST = Pattern.compile(String.format(CURL, "POST", "/v1/transactions"));

    private static Path example;
    private static Process node;
    private static int port;
    private static final List<String> log = new CopyOnWriteArrayList<>();
    private static HttpTestNode sagalog;
    private static HttpTestNode.Api api;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(nodeOnPath(), "node is not on PATH");
        example = findExample();
        sagalog = HttpTestNode.start();
        api = sagalog.api;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        node = new ProcessBuilder("node", example.resolve("server.js").toString(), Integer.toString(port))
                .redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    log.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "node-example-output");
        reader.setDaemon(true);
        reader.start();
        org.awaitility.Awaitility.await("node server.js listens within 15 s").atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(50)).until(() -> {
                    assertThat(node.isAlive()).as("node server.js is running; its output: " + log).isTrue();
                    return log.stream().anyMatch(l -> l.contains("listening on http://127.0.0.1:" + port));
                });
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.destroy();
            if (!node.waitFor(5, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        }
        if (sagalog != null) {
            sagalog.close();
        }
    }

    @Test
    void shouldRunTheReadmeWalkThroughAgainstTheNodeParticipants() throws Exception {
        String readme = Files.readString(example.resolve("README.md")).replace("127.0.0.1:9000", "127.0.0.1:" + port);
        List<String[]> puts = commands(PUT, readme);
        List<String[]> posts = commands(POST, readme);
        assertThat(puts).extracting(c -> c[0]).containsExactly("/v1/participants/node-flights",
                "/v1/participants/node-hotels", "/v1/participants/node-payments", "/v1/definitions/trip-booking-node");
        assertThat(posts).hasSize(2);

        for (String[] put : puts) {
            if (put[0].startsWith("/v1/participants/")) {
                api.httpParticipants.add(put[0].substring("/v1/participants/".length()));
            }
        }
        for (String[] put : puts) {
            HttpResponse<String> r = api.put(put[0], put[1]);
            assertThat(r.statusCode()).as(put[0] + " answered " + r.body()).isIn(200, 201);
        }

        String happy = submit(posts.stream().filter(p -> !p[1].contains("failAt")).findFirst().orElseThrow()[1]);
        String rejected = submit(posts.stream().filter(p -> p[1].contains("\"failAt\":\"payments\"")).findFirst().orElseThrow()[1]);

        JsonNode done = api.awaitStatus(happy, FINISH, "COMPLETED", "ROLLED_BACK", "PARKED");
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(done.path("context").path("flights").path("flight").asText()).startsWith("FL-");
        assertThat(done.path("context").path("hotels").path("nights").asInt()).isEqualTo(3);
        assertThat(done.path("context").path("payments").path("amount").asInt()).as("payments read the hotel's nights")
                .isEqualTo(420 + 95 * 3);
        assertThat(nodeLog(happy)).extracting(NodeExampleIntegrationTest::call)
                .containsExactly("flights action reserve", "hotels action reserve", "payments action charge");

        JsonNode undone = api.awaitStatus(rejected, FINISH, "COMPLETED", "ROLLED_BACK", "PARKED");
        assertThat(undone.path("status").asText()).as(undone.toString()).isEqualTo("ROLLED_BACK");
        assertThat(undone.path("steps").get(2).path("error").asText()).contains("409").contains("payments rejected");
        assertThat(history(undone, "StepCompensated")).extracting(e -> e.path("step").asText())
                .containsExactly("hotels", "flights");
        awaitLog(rejected, 5);
        assertThat(nodeLog(rejected)).extracting(NodeExampleIntegrationTest::call).containsExactly(
                "flights action reserve", "hotels action reserve", "payments action charge",
                "hotels compensation cancel", "flights compensation cancel");
        assertThat(nodeLog(rejected).get(2)).contains("-> 409");
        assertThat(nodeLog(rejected).get(3)).contains("-> 200").contains("\"cancelled\":\"HO-");
    }

    private static String submit(String body) throws Exception {
        HttpResponse<String> r = api.client.submit(body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return HttpTestClient.JSON.readTree(r.body()).path("txId").asText();
    }

    /** Each curl command of the README matching the pattern: its path and its body. */
    private static List<String[]> commands(Pattern pattern, String readme) {
        List<String[]> out = new ArrayList<>();
        Matcher m = pattern.matcher(readme);
        while (m.find()) {
            out.add(new String[] {m.group(1), m.group(2)});
        }
        return out;
    }

    /** The lines server.js logged for one transaction. */
    private static List<String> nodeLog(String txId) {
        return log.stream().filter(l -> l.contains(" tx=" + txId + " ")).toList();
    }

    /** "hotels compensation cancel" from a log line "<time> hotels compensation cancel tx=…". */
    private static String call(String line) {
        String[] words = line.split(" ");
        return words[1] + " " + words[2] + " " + words[3];
    }

    /** Fails when the Node participant has not logged that many lines for the transaction within 5 s. */
    private static void awaitLog(String txId, int lines) {
        org.awaitility.Awaitility.await(lines + " lines of the Node participant's log for " + txId)
                .atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> nodeLog(txId).size() >= lines);
    }

    private static boolean nodeOnPath() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Path findExample() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("examples/trip-booking-node");
            if (Files.exists(candidate.resolve("server.js"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("examples/trip-booking-node not found above " + Path.of("").toAbsolutePath());
    }
}
