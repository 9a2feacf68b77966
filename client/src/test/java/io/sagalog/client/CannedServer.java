package io.sagalog.client;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A local HTTP server that answers each request with the next canned answer, in order, and records what it was sent:
 * the client's side of the protocol, checked without a Sagalog node.
 */
final class CannedServer implements AutoCloseable {
    record Answer(int status, String contentType, String body, Map<String, String> headers) {}

    record Received(String method, URI uri, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    private final BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
    final List<Received> received = new CopyOnWriteArrayList<>();

    CannedServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI(),
                    Map.copyOf(exchange.getRequestHeaders()), body));
            Answer a = answers.poll();
            if (a == null) {
                a = new Answer(500, "text/plain", "no canned answer left", Map.of());
            }
            a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
            if (a.contentType() != null) {
                exchange.getResponseHeaders().add("Content-Type", a.contentType());
            }
            exchange.sendResponseHeaders(a.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
            exchange.close();
        });
        server.start();
    }

    CannedServer json(int status, String body, Map<String, String> headers) {
        answers.add(new Answer(status, "application/json", body, headers));
        return this;
    }

    CannedServer json(int status, String body) {
        return json(status, body, Map.of());
    }

    CannedServer problem(int status, String body, Map<String, String> headers) {
        answers.add(new Answer(status, "application/problem+json", body, headers));
        return this;
    }

    CannedServer text(int status, String body) {
        answers.add(new Answer(status, "text/html", body, Map.of()));
        return this;
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
