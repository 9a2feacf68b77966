package io.sagalog.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class KafkaFootprintTest {
    private static TopicPartition tp(String topic, int p) {
        return new TopicPartition(topic, p);
    }

    private static KafkaFootprint.Snapshot before() {
        Map<TopicPartition, Long> ends = new HashMap<>();
        ends.put(tp("sagalog.journal", 0), 100L);
        ends.put(tp("sagalog.journal", 1), 50L);
        ends.put(tp("app-tx-state-changelog", 0), 10L);
        ends.put(tp("idle", 0), 7L);
        ends.put(tp("gone", 0), 5L);
        ends.put(tp("__consumer_offsets", 3), 1000L);
        ends.put(tp("__transaction_state", 0), 20L);
        return new KafkaFootprint.Snapshot(ends, Map.of("sagalog.journal", 10_000L, "app-tx-state-changelog", 2_000L,
                "idle", 700L, "gone", 500L, "__consumer_offsets", 50_000L, "__transaction_state", 4_000L));
    }

    private static KafkaFootprint.Snapshot after() {
        Map<TopicPartition, Long> ends = new HashMap<>();
        ends.put(tp("sagalog.journal", 0), 160L);
        ends.put(tp("sagalog.journal", 1), 90L);
        ends.put(tp("app-tx-state-changelog", 0), 60L);
        ends.put(tp("idle", 0), 7L);
        ends.put(tp("new-topic", 0), 30L);
        ends.put(tp("new-topic", 1), 20L);
        ends.put(tp("__consumer_offsets", 3), 1020L);
        ends.put(tp("__transaction_state", 0), 60L);
        // "gone" was deleted: no partitions any more, though its log is still on disk for a while.
        return new KafkaFootprint.Snapshot(ends, Map.of("sagalog.journal", 25_000L, "app-tx-state-changelog", 1_500L,
                "idle", 700L, "new-topic", 5_000L, "gone", 900L, "__consumer_offsets", 52_000L,
                "__transaction_state", 8_000L));
    }

    @Test
    void deltaSumsPartitionsPerTopicAndSeparatesInternalTopics() {
        KafkaFootprint.Delta d = KafkaFootprint.between(before(), after());

        assertThat(d.topics()).containsOnlyKeys("sagalog.journal", "app-tx-state-changelog", "new-topic");
        assertThat(d.topics().get("sagalog.journal")).isEqualTo(new KafkaFootprint.TopicDelta(100, 15_000));
        // Compaction shrank the changelog's log: reported as it is.
        assertThat(d.topics().get("app-tx-state-changelog")).isEqualTo(new KafkaFootprint.TopicDelta(50, -500));
        assertThat(d.topics().get("new-topic")).isEqualTo(new KafkaFootprint.TopicDelta(50, 5_000));
        assertThat(d.internalTopics()).containsOnlyKeys("__consumer_offsets", "__transaction_state");
        assertThat(d.internalTopics().get("__transaction_state")).isEqualTo(new KafkaFootprint.TopicDelta(40, 4_000));
        assertThat(d.records()).isEqualTo(200);
        assertThat(d.bytes()).isEqualTo(19_500);
        assertThat(d.internalRecords()).isEqualTo(60);
        assertThat(d.internalBytes()).isEqualTo(6_000);
        assertThat(d.totalRecords()).isEqualTo(260);
        assertThat(d.totalBytes()).isEqualTo(25_500);
    }

    @Test
    void perTransactionDividesEverything() {
        KafkaFootprint.PerTransaction per = KafkaFootprint.between(before(), after()).perTransaction(50);

        assertThat(per.transactions()).isEqualTo(50);
        assertThat(per.records()).isEqualTo(4.0);
        assertThat(per.bytes()).isEqualTo(390.0);
        assertThat(per.internalRecords()).isEqualTo(1.2);
        assertThat(per.internalBytes()).isEqualTo(120.0);
        assertThat(per.totalRecords()).isEqualTo(5.2);
        assertThat(per.recordsByTopic()).containsEntry("sagalog.journal", 2.0).containsEntry("__transaction_state",
                0.8);
        assertThat(per.bytesByTopic()).containsEntry("new-topic", 100.0);
        assertThatThrownBy(() -> KafkaFootprint.between(before(), after()).perTransaction(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyKeepsTheChosenApplicationTopics() {
        KafkaFootprint.Delta d = KafkaFootprint.between(before(), after()).only(t -> t.startsWith("sagalog."));

        assertThat(d.topics()).containsOnlyKeys("sagalog.journal");
        assertThat(d.internalTopics()).hasSize(2);
    }

    @Test
    void internalMeansDoubleUnderscore() {
        assertThat(KafkaFootprint.isInternal("__consumer_offsets")).isTrue();
        assertThat(KafkaFootprint.isInternal("__transaction_state")).isTrue();
        assertThat(KafkaFootprint.isInternal("sagalog.journal")).isFalse();
        assertThat(KafkaFootprint.isInternal("_schemas")).isFalse();
    }
}
