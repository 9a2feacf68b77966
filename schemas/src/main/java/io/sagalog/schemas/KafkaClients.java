package io.sagalog.schemas;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * How every Kafka client of a Sagalog process reaches the cluster: the bootstrap servers and the operator's client
 * settings ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}, {@code client.rack}, ...), given once and
 * applied to each producer, consumer, admin client and the Streams application, so no client is left unsecured.
 *
 * <p>A client's own settings win over the operator's: they are what Sagalog's guarantees rest on (serializers, group
 * ids, acks, isolation), so a settings file cannot weaken them by accident.
 *
 * @param settings Kafka client properties besides {@code bootstrap.servers}
 */
public record KafkaClients(String bootstrapServers, Map<String, String> settings) {

    /** Settings that belong to one client, never to all of them: a file that names them is refused. */
    private static final Set<String> NOT_SHARED = Set.of("bootstrap.servers", "key.serializer", "value.serializer",
            "key.deserializer", "value.deserializer", "group.id", "group.instance.id", "client.id", "transactional.id",
            "application.id");

    /**
     * Sagalog's defaults for every client, below the operator's settings (a file may change them: they tune, they
     * guarantee nothing). {@code retry.backoff.max.ms} 250 instead of 1000: after a broker dies every client retries
     * its sends, fetches and metadata requests with a backoff that grows to this bound, so by the time the cluster has
     * fenced the dead broker and elected new leaders each client waits up to this long before it asks again and finds
     * them. At Kafka's 1 s that is up to a second more of stall per hop (ingest, engine, dispatcher), a few more
     * metadata requests a second per client during an outage is the price. See docs/operations.md, "Faults and
     * fail-over: measured".
     */
    public static final Map<String, String> FAILOVER_DEFAULTS = Map.of("retry.backoff.max.ms", "250");

    public KafkaClients {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("the Kafka bootstrap servers are missing");
        }
        settings = Map.copyOf(settings);
        for (String key : settings.keySet()) {
            if (NOT_SHARED.contains(key)) {
                throw new IllegalArgumentException(key + " cannot be set for all Kafka clients"
                        + (key.equals("bootstrap.servers") ? " in the settings (pass it with --bootstrap)" : ""));
            }
        }
    }

    /** An unsecured cluster: the bootstrap servers and nothing else. */
    public static KafkaClients of(String bootstrapServers) {
        return new KafkaClients(bootstrapServers, Map.of());
    }

    /** Reads client settings from a Java properties file (the format of Kafka's own {@code client.properties}). */
    public static KafkaClients load(String bootstrapServers, Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        Map<String, String> settings = new HashMap<>();
        p.stringPropertyNames().forEach(k -> settings.put(k.trim(), p.getProperty(k).trim()));
        return new KafkaClients(bootstrapServers, settings);
    }

    /** The same cluster with {@code more} settings on top (tests, callers with their own defaults). */
    public KafkaClients with(Map<String, String> more) {
        Map<String, String> all = new HashMap<>(settings);
        all.putAll(more);
        return new KafkaClients(bootstrapServers, all);
    }

    /** {@code client.rack} if the operator set one: the Streams assignment places standby tasks by it. */
    public java.util.Optional<String> rack() {
        return java.util.Optional.ofNullable(settings.get("client.rack")).filter(r -> !r.isBlank());
    }

    /** The configuration of one client: bootstrap servers, the operator's settings, then the client's own. */
    public Map<String, Object> config(Map<String, ?> own) {
        Map<String, Object> all = new HashMap<>(FAILOVER_DEFAULTS);
        all.putAll(settings);
        all.put("bootstrap.servers", bootstrapServers);
        all.putAll(own);
        return all;
    }

    /** {@link #config} as {@link Properties}, for the client constructors that take them. */
    public Properties properties(Map<String, ?> own) {
        Properties p = new Properties();
        p.putAll(config(own));
        return p;
    }

    /** Bootstrap and settings only. */
    public Properties properties() {
        return properties(Map.of());
    }

    /** What the settings say, with secrets masked: for logs and error messages. */
    @Override
    public String toString() {
        Map<String, String> shown = maskedSettings();
        return "KafkaClients[" + bootstrapServers + (shown.isEmpty() ? "" : ", " + shown) + "]";
    }

    /** The operator's settings, sorted, with passwords, JAAS configurations, secrets and keys shown as ***. */
    public Map<String, String> maskedSettings() {
        Map<String, String> shown = new TreeMap<>();
        settings.forEach((k, v) -> shown.put(k, secret(k) ? "***" : v));
        return shown;
    }

    private static boolean secret(String key) {
        String k = key.toLowerCase(java.util.Locale.ROOT);
        return k.contains("password") || k.contains("jaas") || k.contains("secret") || k.endsWith(".key");
    }
}
