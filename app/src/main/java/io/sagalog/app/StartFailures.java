package io.sagalog.app;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.config.ConfigException;

/**
 * Failures at start an operator fixes with a setting (a refused login, a missing ACL, a bad client property, too
 * few brokers): they are told in one line on stderr, with the setting to look at, not a stack trace.
 */
final class StartFailures {
    private StartFailures() {}

    /**
     * Asks the cluster once for its brokers before a command starts anything, with the Kafka clients' own
     * log muted meanwhile: a refused login is then told once, in {@link #oneLine}'s words, instead of also as a
     * client ERROR line. A failure here is the one the node's start would have met first anyway.
     */
    static void preflight(io.sagalog.schemas.KafkaClients kafka) throws InterruptedException {
        // Only where logging is logback (the shipped jar); an embedding with another backend keeps its lines.
        ch.qos.logback.classic.Logger network = org.slf4j.LoggerFactory.getLogger("org.apache.kafka.clients")
                instanceof ch.qos.logback.classic.Logger l ? l : null;
        ch.qos.logback.classic.Level before = network == null ? null : network.getLevel();
        if (network != null) {
            network.setLevel(ch.qos.logback.classic.Level.OFF);
        }
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                kafka.config(java.util.Map.of()))) {
            NodeTopics.brokers(admin, kafka);
        } finally {
            if (network != null) {
                network.setLevel(before);
            }
        }
    }

    /**
     * Fails at once, before Kafka is asked anything, when another process listens on the HTTP port: a start that
     * would otherwise end only after the embedded broker, the topics and the engine are up. The real bind can still
     * lose a race; {@link #oneLine} tells that the same way.
     */
    static void requireFreePort(String host, int port) {
        if (port == 0) {
            return;
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(host, port));
        } catch (java.net.BindException e) {
            throw new IllegalStateException(portInUse(host, port), e);
        } catch (java.io.IOException e) {
            // Another problem with the address (one this host does not have): the real bind tells it.
        }
    }

    private static String portInUse(String host, int port) {
        return "port " + port + " on " + host + " is in use by another process (stop it, or pick another with --port)";
    }

    /** The line to print for {@code error}, or null when it is not one of these (then the trace helps more). */
    static String oneLine(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException
                    || (t instanceof java.io.IOException && String.valueOf(t.getMessage()).contains("Address already in use"))) {
                return error.getMessage() != null && error.getMessage().startsWith("port ") ? error.getMessage()
                        : "cannot listen for HTTP: " + flat(String.valueOf(t.getMessage())) + " (pick another --port or --host)";
            }
            if (t instanceof AuthenticationException) {
                return flat(top(error, t)) + " (check the credentials in --kafka-config)";
            }
            if (t instanceof AuthorizationException) {
                return flat(top(error, t)) + " (the Kafka principal lacks an ACL; 'sagalog topics describe' lists "
                        + "the topics it needs)";
            }
            if (t instanceof ConfigException || t instanceof InvalidReplicationFactorException
                    || t instanceof PolicyViolationException) {
                return flat(top(error, t)) + " (check --kafka-config and the topic options)";
            }
            if (t instanceof KafkaException && t.getCause() != null && t.getMessage() != null
                    && (t.getMessage().startsWith("Failed to construct") || t.getMessage().startsWith("Failed to create"))) {
                // A client that cannot even be built: the root cause (a JAAS or SSL setting) says why.
                return flat(t.getMessage() + ": " + root(t).getMessage()) + " (check --kafka-config)";
            }
        }
        if (error instanceof IllegalStateException && error.getMessage() != null
                && error.getMessage().startsWith("--replication-factor")) {
            return flat(error.getMessage());
        }
        if (error instanceof IllegalStateException && error.getMessage() != null
                && (error.getMessage().startsWith("cannot use the Kafka cluster at")
                || error.getMessage().startsWith("the Kafka cluster at"))) {
            // The first question to the cluster went unanswered (down, a wrong address, a wrong protocol).
            return flat(error.getMessage()) + " (check --bootstrap and --kafka-config)";
        }
        return null;
    }

    /** Our own message where we wrapped the cause with context (which cluster), else the cause's. */
    private static String top(Throwable error, Throwable cause) {
        return error != cause && error.getMessage() != null && error.getMessage().contains(String.valueOf(cause.getMessage()))
                ? error.getMessage() : String.valueOf(cause.getMessage());
    }

    private static Throwable root(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String flat(String text) {
        return text.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
