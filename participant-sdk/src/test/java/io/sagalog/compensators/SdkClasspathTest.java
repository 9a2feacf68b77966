package io.sagalog.compensators;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SDK is what a service that only writes a compensator depends on: the server side (Kafka Streams, the RocksDB
 * native jar, Vert.x, resilience4j) must not come with it. Its test classpath is its runtime classpath plus JUnit and
 * AssertJ, so a class missing here is missing for its users.
 */
class SdkClasspathTest {
    @ParameterizedTest
    @ValueSource(strings = {
            "org.apache.kafka.streams.KafkaStreams",
            "org.rocksdb.RocksDB",
            "io.vertx.core.Vertx",
            "io.github.resilience4j.circuitbreaker.CircuitBreaker",
            "io.sagalog.engine.Wire"})
    void shouldNotBringTheServerSide(String className) {
        assertThatThrownBy(() -> Class.forName(className, false, SdkClasspathTest.class.getClassLoader()))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @org.junit.jupiter.api.Test
    void shouldHaveWhatTheSdkUses() throws ClassNotFoundException {
        // The positive control: the same lookup finds the classes the SDK does use.
        Class.forName("org.apache.kafka.clients.consumer.KafkaConsumer", false, getClass().getClassLoader());
        Class.forName("com.fasterxml.jackson.datatype.jsr310.JavaTimeModule", false, getClass().getClassLoader());
        Class.forName("io.sagalog.health.SupervisedLoop", false, getClass().getClassLoader());
    }
}
