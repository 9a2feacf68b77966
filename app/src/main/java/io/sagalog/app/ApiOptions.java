package io.sagalog.app;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Options of every command that serves the HTTP API against Kafka ({@code dev}, {@code engine}, {@code ingest}):
 * where it listens and is reached, its Kafka client settings and topic names, its bearer tokens and HTTP limits.
 * {@link NodeOptions} adds what only an engine node has.
 */
class ApiOptions {

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port for ingest and console; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "HTTP address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--advertised-url", paramLabel = "URL",
            description = "How other instances and HTTP participants reach this node, e.g. http://node-a.internal:8080: "
                    + "the callback URL participants get and the address queries are forwarded to. Required when "
                    + "--host binds all interfaces (0.0.0.0, ::); default: http://<host>:<port>.")
    String advertisedUrl;

    /** The usage problem of --host and --advertised-url, if any: one line, for a usage error (exit code 2). */
    java.util.Optional<String> addressProblem() {
        return NodeAddress.problem(host, advertisedUrl);
    }

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client properties (security.protocol, sasl.*, ssl.*, client.rack, ...) for every "
                    + "Kafka client of the node: Streams, producers, consumers, admin.")
    Path kafkaConfig;

    @Option(names = "--topic-prefix", defaultValue = "sagalog.", paramLabel = "PREFIX",
            description = "Prefix of every Sagalog topic, so that deployments can share a cluster; give each its own "
                    + "--application-id too (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    /** The topic names of --topic-prefix; a prefix Kafka cannot use is a usage error. */
    static io.sagalog.schemas.TopicNames topicNames(picocli.CommandLine cli, String prefix) {
        try {
            return io.sagalog.schemas.TopicNames.of(prefix);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(cli, "--topic-prefix: " + e.getMessage());
        }
    }

    /** The cluster at {@code bootstrap} with the --kafka-config settings; a file that cannot be used is a usage error. */
    io.sagalog.schemas.KafkaClients kafkaClients(Object command, String bootstrap) {
        return kafkaClients(new picocli.CommandLine(command), bootstrap, kafkaConfig);
    }

    static io.sagalog.schemas.KafkaClients kafkaClients(picocli.CommandLine cli, String bootstrap, Path kafkaConfig) {
        if (kafkaConfig == null) {
            return io.sagalog.schemas.KafkaClients.of(bootstrap);
        }
        try {
            return io.sagalog.schemas.KafkaClients.load(bootstrap, kafkaConfig);
        } catch (IOException | IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(cli, "--kafka-config "
                    + kafkaConfig + ": " + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
        }
    }

    @Option(names = "--tokens", paramLabel = "FILE",
            description = "Bearer tokens and their roles, one a line: <token> <role>[,<role>...] with roles viewer, "
                    + "operator, submitter; '#' starts a comment.")
    Path tokens;

    @Option(names = "--http-max-connections", defaultValue = "4096", paramLabel = "N",
            description = "Open HTTP connections at most; more are closed at once. The node uses at most half of what "
                    + "the open-file limit leaves after 4096 for Kafka (default: ${DEFAULT-VALUE}).")
    int httpMaxConnections;

    @Option(names = "--http-header-timeout", defaultValue = "10s", paramLabel = "DURATION",
            description = "A new connection must have sent its first request's headers within this (default: ${DEFAULT-VALUE}).")
    String httpHeaderTimeout;

    @Option(names = "--http-idle-timeout", defaultValue = "30s", paramLabel = "DURATION",
            description = "A connection silent for this long is closed; a kept-alive one must start its next request "
                    + "within it (default: ${DEFAULT-VALUE}).")
    String httpIdleTimeout;

    @Option(names = "--http-request-timeout", defaultValue = "10s", paramLabel = "DURATION",
            description = "Every request is answered within this (default: ${DEFAULT-VALUE}).")
    String httpRequestTimeout;

    @Option(names = "--http-max-header-size", defaultValue = "8192", paramLabel = "BYTES",
            description = "All headers of a request together; 431 beyond (default: ${DEFAULT-VALUE}).")
    int httpMaxHeaderSize;

    @Option(names = "--http-max-request-line", defaultValue = "4096", paramLabel = "BYTES",
            description = "Method, path and query of a request; 414 beyond (default: ${DEFAULT-VALUE}).")
    int httpMaxRequestLine;

    @Option(names = "--max-in-flight-submits", defaultValue = "1024", paramLabel = "N",
            description = "Submits waiting for Kafka's acknowledgement at most; more are answered 503 at once "
                    + "(default: ${DEFAULT-VALUE}).")
    int maxInFlightSubmits;

    @Option(names = "--max-engine-lag", defaultValue = "100000", paramLabel = "RECORDS",
            description = "Submits are answered 503 while the engine is more records than this behind its input "
                    + "(default: ${DEFAULT-VALUE}).")
    long maxEngineLag;

    @Option(names = "--max-delivery-delay", defaultValue = "1s", paramLabel = "DURATION",
            description = "Submits of a definition are answered 503 while step requests for one of its participants "
                    + "wait longer than this before delivery (at most a quarter of its shortest step timeout); 0 turns "
                    + "this off (default: ${DEFAULT-VALUE}).")
    String maxDeliveryDelay;

    /** The HTTP limits these options name (the same back-pressure bounds on engine nodes and front ends). */
    HttpLimits httpLimits() {
        return httpLimits(maxEngineLag, "0".equals(maxDeliveryDelay.trim()) ? java.time.Duration.ZERO
                : duration("--max-delivery-delay", maxDeliveryDelay));
    }

    /** The HTTP limits these options name, with the engine's own back-pressure limits given. */
    HttpLimits httpLimits(long maxEngineLag, java.time.Duration maxDeliveryDelay) {
        return new HttpLimits(httpMaxConnections, duration("--http-idle-timeout", httpIdleTimeout),
                duration("--http-header-timeout", httpHeaderTimeout), duration("--http-request-timeout", httpRequestTimeout),
                httpMaxHeaderSize, httpMaxRequestLine, maxInFlightSubmits, maxEngineLag, maxDeliveryDelay);
    }

    static java.time.Duration duration(String option, String text) {
        try {
            return io.sagalog.engine.Durations.parse(text.trim());
        } catch (IllegalArgumentException e) {
            throw new UsageError(option + " must be a duration such as 10s or 500ms (got '" + text + "')");
        }
    }
}
