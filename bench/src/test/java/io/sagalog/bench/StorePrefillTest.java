package io.sagalog.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The byte-level cloning that prefills the stores: it must change the txId everywhere and nothing else. */
class StorePrefillTest {
    private static final String TEMPLATE = "2a3d9295-662c-4e91-a079-19a2a29acd17";
    private static final String CLONE = "7f000000-0000-4000-8000-000000000001";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldReplaceEveryOccurrenceOfTheTxIdAndKeepTheRest() {
        byte[] value = bytes("\u0048" + TEMPLATE + "|flights|" + TEMPLATE + ":hotels:action|end");

        byte[] cloned = StorePrefill.replaced(value, bytes(TEMPLATE), bytes(CLONE));

        assertThat(new String(cloned, StandardCharsets.UTF_8))
                .isEqualTo("\u0048" + CLONE + "|flights|" + CLONE + ":hotels:action|end");
        assertThat(cloned).hasSameSizeAs(value);
        assertThat(new String(value, StandardCharsets.UTF_8)).contains(TEMPLATE); // the template is not touched
    }

    @Test
    void shouldReplaceTheTxIdInAnIndexKeyAtItsEnd() {
        String key = "d|trip-booking|COMPLETED|7ffffe6a1b2c3d4e|" + TEMPLATE;

        assertThat(new String(StorePrefill.replaced(bytes(key), bytes(TEMPLATE), bytes(CLONE)), StandardCharsets.UTF_8))
                .isEqualTo("d|trip-booking|COMPLETED|7ffffe6a1b2c3d4e|" + CLONE);
    }

    @Test
    void shouldRefuseACloneIdOfAnotherLengthBecauseAvroLengthPrefixesWouldBreak() {
        assertThatThrownBy(() -> StorePrefill.replaced(bytes(TEMPLATE), bytes(TEMPLATE), bytes("short")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same length", "length");
    }

    @Test
    void shouldSendATxIdToTheSamePartitionAsTheControlLogsDefaultPartitioner() {
        // Kafka's default partitioner for a keyed record: murmur2 of the serialized key, made positive, modulo.
        for (int i = 0; i < 100; i++) {
            String txId = UUID.randomUUID().toString();
            int expected = (org.apache.kafka.common.utils.Utils.murmur2(bytes(txId)) & 0x7fffffff) % 6;
            assertThat(StorePrefill.partitionOf(txId, 6)).isEqualTo(expected);
        }
    }

    @Test
    void shouldNameTheChangelogOfAStoreAsKafkaStreamsDoes() {
        assertThat(io.sagalog.engine.EngineStores.changelog("bench-s3-abc", "tx-state")).isEqualTo("bench-s3-abc-tx-state-changelog");
    }
}
