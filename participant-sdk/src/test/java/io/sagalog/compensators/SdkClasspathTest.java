package io.sagalog.compensators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SDK is what a service that only writes a compensator depends on: the server side (Kafka Streams, the RocksDB
 * native jar, Vert.x, resilience4j) must not come with it. Its test classpath is its runtime classpath plus JUnit and
 * AssertJ (and the schemas, whose classes its jar holds), so a class missing here is missing for its users.
 */
class SdkClasspathTest {
    /**
     * Issue 13 asks for at most 6 (pom.xml says why each is there): kafka-clients, avro, jackson-databind, -core,
     * -annotations and slf4j-api. JavaTimeModule is inside the SDK jar, relocated (SdkJarIntegrationTest proves it).
     */
    static final int MAX_JARS = 6;

    @ParameterizedTest
    @ValueSource(strings = {
            "org.apache.kafka.streams.KafkaStreams",
            "org.rocksdb.RocksDB",
            "io.vertx.core.Vertx",
            "io.github.resilience4j.circuitbreaker.CircuitBreaker",
            "io.sagalog.engine.Wire",
            "com.github.luben.zstd.Zstd",
            "org.apache.commons.compress.compressors.CompressorStreamFactory"})
    void shouldNotBringTheServerSide(String className) {
        assertThatThrownBy(() -> Class.forName(className, false, SdkClasspathTest.class.getClassLoader()))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void shouldHaveWhatTheSdkUses() throws ClassNotFoundException {
        // The positive control: the same lookup finds the classes the SDK does use.
        Class.forName("org.apache.kafka.clients.consumer.KafkaConsumer", false, getClass().getClassLoader());
        Class.forName("com.fasterxml.jackson.datatype.jsr310.JavaTimeModule", false, getClass().getClassLoader());
        Class.forName("io.sagalog.health.SupervisedLoop", false, getClass().getClassLoader());
    }

    @Test
    void shouldResolveAtMostSixJarsAndNoneOfTheServerSide() throws Exception {
        List<String> jars = runtimeJars();

        assertThat(jars).as("the SDK's runtime jars").hasSizeLessThanOrEqualTo(MAX_JARS)
                .anyMatch(j -> j.startsWith("kafka-clients-")) // the positive control: the list is the real one
                .noneMatch(j -> j.matches("(kafka-streams|rocksdbjni|vertx|resilience4j|sagalog-|jackson-datatype-jsr310).*"));
    }

    /** The file names of the jars a participant's build resolves for the SDK (written by the build, see pom.xml). */
    static List<String> runtimeJars() throws Exception {
        String classpath = Files.readString(Path.of("target", "sdk-runtime-classpath.txt")).trim();
        return Arrays.stream(classpath.split(java.io.File.pathSeparator)).filter(s -> !s.isBlank())
                .map(s -> Path.of(s).getFileName().toString()).toList();
    }
}
