package io.sagalog.health;

import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Creates the Kafka consumers of background loops: a loop that failed gets a fresh one. Tests pass their own to
 * break a consumer on purpose.
 */
@FunctionalInterface
public interface ConsumerFactory {
    /** Plain {@link KafkaConsumer}s with String keys and byte[] values. */
    ConsumerFactory KAFKA = (component, config) ->
            new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());

    /** @param component the loop that asks, e.g. {@code registry} */
    Consumer<String, byte[]> create(String component, Properties config);
}
