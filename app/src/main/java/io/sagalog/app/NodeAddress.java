package io.sagalog.app;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * How other instances and HTTP participants reach a node: the callback URL handed to participants and the query
 * address (Kafka Streams' {@code application.server}) other instances forward to. Both are this node's own plain
 * HTTP listener: {@code --advertised-url}, or the bound host and port when it is a concrete address.
 *
 * <p>A node bound to all interfaces (0.0.0.0, ::) has no address of its own to hand out: guessing one
 * ({@code getLocalHost} often gives 127.0.1.1) sends participants and other instances nowhere, so such a node
 * needs {@code --advertised-url} and refuses to start without it.
 */
record NodeAddress(String host, int port) {

    /** The problem with this host/advertised URL pair as a one-line usage message, if any. */
    static Optional<String> problem(String bindHost, String advertisedUrl) {
        if (advertisedUrl != null) {
            try {
                parse(advertisedUrl);
                return Optional.empty();
            } catch (IllegalArgumentException e) {
                return Optional.of(e.getMessage());
            }
        }
        if (allInterfaces(bindHost)) {
            return Optional.of("--host " + bindHost + " binds every interface, so other instances and HTTP participants "
                    + "cannot be told where this node is: pass --advertised-url http://<address they reach>:<port>");
        }
        return Optional.empty();
    }

    /**
     * @param advertisedUrl {@code --advertised-url}, or null to use the bound host and port
     * @throws IllegalArgumentException when {@link #problem} names one
     */
    static NodeAddress of(String bindHost, int boundPort, String advertisedUrl) {
        problem(bindHost, advertisedUrl).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
        return advertisedUrl != null ? parse(advertisedUrl) : new NodeAddress(bindHost, boundPort);
    }

    static boolean allInterfaces(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.equals("0.0.0.0") || h.equals("::") || h.equals("0:0:0:0:0:0:0:0");
    }

    private static NodeAddress parse(String url) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--advertised-url '" + url + "' is not a URL: " + e.getReason());
        }
        // Instances forward to each other and participants call back over plain HTTP to this very listener.
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawQuery() != null || uri.getRawFragment() != null
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))) {
            throw new IllegalArgumentException("--advertised-url '" + url + "' must be http://<host>[:<port>] (this "
                    + "node's own HTTP listener as others reach it, no path)");
        }
        if (allInterfaces(uri.getHost())) {
            throw new IllegalArgumentException("--advertised-url '" + url + "' names every interface, not an address "
                    + "others can reach");
        }
        return new NodeAddress(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
    }

    /** {@code http://host:port}, IPv6 hosts in brackets. */
    String baseUrl() {
        return "http://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Where asynchronous HTTP participants report results. */
    String callbackUrl() {
        return baseUrl() + "/v1/step-results";
    }

    /** Kafka Streams' {@code application.server}: where other instances forward queries for this one's keys. */
    String applicationServer() {
        return host + ":" + port;
    }
}
