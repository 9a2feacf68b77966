package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP layer under abuse (issue 11, items 9 and 14): idle connections that never send their headers are closed
 * and capped, the node keeps serving and keeps its broker; answers the HTTP layer makes before routing are
 * problem+json; 405 names what is allowed; a body shorter than its Content-Length is answered, not left hanging.
 */
class HttpEdgeIntegrationTest {
    private static HttpTestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = HttpTestNode.start();
        node.api.registerDefinition("edge-noop", """
                {"deadline": "10m", "steps": [{"name": "only", "participant": "edge-nobody", "action": "do", "kind": "pivot"}]}""");
    }

    @AfterAll
    static void stop() throws Exception {
        node.close();
    }

    @Test
    void idleConnectionsAreCappedAndClosedWhileTheNodeKeepsServingAndKeepsItsBroker() throws Exception {
        int opened = 4_500; // more than the default cap (4,096); about as many file descriptors again on the server side
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < opened; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", node.node.port()), 5_000);
                s.setSoTimeout(1);
                idle.add(s);
            }
            // Those beyond the cap are closed at once; the rest once the header timeout (default 10 s) passes.
            List<Socket> stillOpen = new ArrayList<>(idle);
            try {
                org.awaitility.Awaitility.await("every idle connection closed by the node").atMost(Duration.ofSeconds(25))
                        .pollInterval(Duration.ofMillis(200)).until(() -> {
                            stillOpen.removeIf(HttpEdgeIntegrationTest::closedByPeer);
                            return stillOpen.isEmpty();
                        });
            } catch (org.awaitility.core.ConditionTimeoutException notAll) {
                // counted and reported below
            }
            int open = stillOpen.size();
            assertThat(open).as("idle connections the server still holds 25 s after they were opened").isZero();

            HttpResponse<String> live = node.api.get("/health/live");
            assertThat(live.statusCode()).isEqualTo(200);
            String txId = node.api.submit("edge-noop", "{}");
            assertThat(txId).isNotBlank();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    KafkaFixture.bootstrapServers()))) {
                assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).isNotEmpty();
            }
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    @Test
    void aRequestThatAsksToWaitLongerThanTheRequestTimeoutIsAnsweredAfterItsWait() throws Exception {
        node.api.put("/v1/participants/edge-silent", "{\"transport\":\"kafka\"}");
        node.api.registerDefinition("edge-slow", """
                {"deadline": "10m", "steps": [{"name": "only", "participant": "edge-silent", "action": "do",
                  "kind": "pivot", "timeout": "5m"}]}""");
        String txId = node.api.submit("edge-slow", "{}");
        node.api.awaitStatus(txId, Duration.ofSeconds(30), "RUNNING");
        long t0 = System.nanoTime();
        HttpResponse<String> r = node.api.get("/v1/transactions/" + txId + "?wait=12s");
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(HttpTestClient.JSON.readTree(r.body()).path("status").asText()).isEqualTo("RUNNING");
        assertThat(took).isGreaterThanOrEqualTo(11_500);
    }

    @Test
    void aLongRequestLineIsA414Problem() throws Exception {
        String answer = raw("GET /v1/transactions?x=" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertProblem(answer, 414);
    }

    @Test
    void largeHeadersAreA431Problem() throws Exception {
        String answer = raw("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n");
        assertProblem(answer, 431);
    }

    @Test
    void aGarbledRequestIsA400Problem() throws Exception {
        String answer = raw("GET /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n");
        assertProblem(answer, 400);
    }

    @Test
    void methodNotAllowedNamesTheAllowedMethods() throws Exception {
        String answer = raw("DELETE /v1/transactions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertProblem(answer, 405);
        assertThat(header(answer, "Allow")).as("Allow header in\n" + answer).contains("GET").contains("POST");
    }

    @Test
    void aBodyShorterThanItsContentLengthIsAnsweredWithinTheRequestTimeout() throws Exception {
        long t0 = System.nanoTime();
        String answer = raw("POST /v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100\r\n\r\n{\"definition\"", Duration.ofSeconds(20));
        long took = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertThat(status(answer)).as(answer).isIn(400, 408);
        assertProblem(answer, status(answer));
        assertThat(took).isLessThanOrEqualTo(12);
    }

    @Test
    void aSubmitBodyOverTheLimitIsA413ProblemAlsoWhenChunked() throws Exception {
        byte[] big = ("{\"definition\":\"edge-noop\",\"input\":{\"x\":\"" + "z".repeat(1_100_000) + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = node.api.client.post("/v1/transactions", "application/json", big);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");

        StringBuilder chunked = new StringBuilder("POST /v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n");
        String chunk = "y".repeat(64 * 1024);
        for (int i = 0; i < 20; i++) {
            chunked.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
        }
        chunked.append("0\r\n\r\n");
        assertProblem(raw(chunked.toString()), 413);
    }

    @Test
    void aClientThatDisconnectsMidBodyIsLoggedAtDebugNotAsAnError() throws Exception {
        ch.qos.logback.classic.Logger ingestLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(io.sagalog.ingest.IngestApi.class);
        ch.qos.logback.classic.Logger nodeLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(SagalogNode.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> events =
                new ch.qos.logback.core.read.ListAppender<>();
        events.start();
        ch.qos.logback.classic.Level before = ingestLog.getLevel();
        ingestLog.setLevel(ch.qos.logback.classic.Level.DEBUG);
        ingestLog.addAppender(events);
        nodeLog.addAppender(events);
        try {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", node.node.port()), 5_000);
                s.getOutputStream().write(("POST /v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 1000\r\n\r\n{\"definition\":").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
            try {
                org.awaitility.Awaitility.await("the disconnect is logged").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                        .until(() -> events.list.stream().anyMatch(e -> e.getFormattedMessage().contains("went away")));
            } catch (org.awaitility.core.ConditionTimeoutException notLogged) {
                // the assertion below says what was logged instead
            }
            assertThat(events.list).as("log events").anyMatch(e -> e.getFormattedMessage().contains("went away")
                    && e.getLevel().toInt() <= ch.qos.logback.classic.Level.INFO.toInt());
            assertThat(events.list).as("log events").noneMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR);
        } finally {
            ingestLog.detachAppender(events);
            nodeLog.detachAppender(events);
            ingestLog.setLevel(before);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static boolean closedByPeer(Socket s) {
        try {
            InputStream in = s.getInputStream();
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private static String raw(String request) throws IOException {
        return raw(request, Duration.ofSeconds(15));
    }

    /** Sends the bytes as they are and reads the first answer (status line, headers and a Content-Length body). */
    private static String raw(String request, Duration timeout) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", node.node.port()), 5_000);
            s.setSoTimeout((int) timeout.toMillis());
            OutputStream out = s.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException e) {
                // the server may answer and close before it read everything; the answer is still there to read
            }
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            int c;
            while ((c = in.read()) != -1) {
                head.append((char) c);
                if (head.toString().endsWith("\r\n\r\n")) {
                    break;
                }
            }
            String length = header(head.toString(), "Content-Length");
            if (length != null) {
                byte[] body = in.readNBytes(Integer.parseInt(length.trim()));
                head.append(new String(body, StandardCharsets.UTF_8));
            }
            return head.toString();
        }
    }

    private static int status(String answer) {
        assertThat(answer).as("an HTTP answer").startsWith("HTTP/1.");
        return Integer.parseInt(answer.substring(9, 12));
    }

    private static String header(String answer, String name) {
        for (String line : answer.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
            if (line.isEmpty()) {
                break;
            }
        }
        return null;
    }

    private static void assertProblem(String answer, int expectedStatus) throws IOException {
        assertThat(status(answer)).as(answer).isEqualTo(expectedStatus);
        assertThat(header(answer, "Content-Type")).as(answer).isEqualTo("application/problem+json");
        JsonNode problem = HttpTestClient.JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
        assertThat(problem.path("status").asInt()).isEqualTo(expectedStatus);
        assertThat(problem.path("type").asText()).startsWith("https://sagalog.io/problems/");
    }
}
