package io.sagalog.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The Kafka broker tests run against, one per test JVM, chosen in this order:
 * {@code KAFKA_BOOTSTRAP_SERVERS} when set; a Testcontainers broker when Docker is available; else a real
 * single-node KRaft broker embedded in this JVM ({@link EmbeddedKafka}, the same one {@code sagalog dev} runs).
 */
public final class KafkaFixture {
    private static final Logger log = LoggerFactory.getLogger(KafkaFixture.class);
    private static String bootstrapServers;

    private KafkaFixture() {}

    public static synchronized String bootstrapServers() {
        if (bootstrapServers == null) {
            bootstrapServers = start();
        }
        return bootstrapServers;
    }

    private static String start() {
        String external = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (external != null && !external.isBlank()) {
            log.info("tests use the Kafka cluster at {} (KAFKA_BOOTSTRAP_SERVERS)", external);
            return external;
        }
        if (dockerAvailable()) {
            KafkaContainer container = new KafkaContainer("apache/kafka:4.1.0");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
            log.info("tests use a Testcontainers Kafka at {}", container.getBootstrapServers());
            return container.getBootstrapServers();
        }
        try {
            Path dir = Files.createTempDirectory("sagalog-test-kafka");
            EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, Map.of());
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
            log.info("tests use an embedded KRaft broker at {}", kafka.bootstrapServers());
            return kafka.bootstrapServers();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start an embedded Kafka broker for the tests", e);
        }
    }

    private static boolean dockerAvailable() {
        // Without a Docker socket there is nothing to ask; skip Testcontainers' slow discovery.
        if (!Files.exists(Path.of("/var/run/docker.sock")) && System.getenv("DOCKER_HOST") == null) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
