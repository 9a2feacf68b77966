package io.sagalog.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.Phase;
import io.sagalog.engine.Timer;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;

/** The punctuator's scan reads what is due and nothing else, however many timers wait. */
class DueTimersTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    @Test
    void shouldVisitOnlyDueTimersWhateverTheNumberWaiting() {
        for (int waiting : List.of(10, 1_000, 200_000)) {
            CountingStore store = new CountingStore();
            for (int i = 0; i < waiting; i++) {
                store.put(TimerKeys.key(UUID.randomUUID().toString(),
                        Timer.stepTimeout(NOW.plusSeconds(1 + i % 3600), "flights", 1, Phase.ACTION)));
            }
            for (int i = 0; i < 7; i++) {
                store.put(TimerKeys.key(UUID.randomUUID().toString(), Timer.backoff(NOW.minusMillis(i), "hotels", 2, Phase.ACTION)));
            }

            List<TimerKeys.Parsed> due = DueTimers.collect(store::range, NOW, 5_000);

            assertThat(due).hasSize(7);
            assertThat(store.visited).as("entries visited with %d timers waiting", waiting).isEqualTo(7);
        }
    }

    @Test
    void shouldReturnDueTimersEarliestFirstAndHonourTheLimit() {
        CountingStore store = new CountingStore();
        for (int i = 0; i < 20; i++) {
            store.put(TimerKeys.key("tx-" + i, Timer.deadline(NOW.minusSeconds(i))));
        }

        List<TimerKeys.Parsed> due = DueTimers.collect(store::range, NOW, 5);

        assertThat(due).extracting(p -> p.txId()).containsExactly("tx-19", "tx-18", "tx-17", "tx-16", "tx-15");
        assertThat(store.visited).isEqualTo(5);
    }

    @Test
    void shouldStartTheScanWhereThePreviousOneEnded() {
        CountingStore store = new CountingStore();
        for (int i = 0; i < 1_000; i++) {
            store.put(TimerKeys.key("old-" + i, Timer.deadline(NOW.minusSeconds(60).plusMillis(i)))); // stand-ins for tombstones
        }
        store.put(TimerKeys.key("tx", Timer.deadline(NOW.minusMillis(10))));

        List<TimerKeys.Parsed> due = DueTimers.collect(store::range, NOW.minusSeconds(1), NOW, 100);

        assertThat(due).singleElement().satisfies(p -> assertThat(p.txId()).isEqualTo("tx"));
        assertThat(store.visited).isEqualTo(1);
    }

    @Test
    void shouldIncludeATimerDueExactlyNow() {
        CountingStore store = new CountingStore();
        store.put(TimerKeys.key("tx", Timer.deadline(NOW)));
        store.put(TimerKeys.key("tx", Timer.deadline(NOW.plusMillis(1))));

        assertThat(DueTimers.collect(store::range, NOW, 10)).singleElement()
                .satisfies(p -> assertThat(p.timer().due()).isEqualTo(NOW));
    }

    @Test
    void shouldRoundTripEveryTimerThroughItsKey() {
        for (Timer t : List.of(Timer.deadline(NOW), Timer.stepTimeout(NOW, "a-b.c_d", 3, Phase.COMPENSATION),
                Timer.backoff(NOW.plusMillis(5), "x", 12, Phase.ACTION))) {
            TimerKeys.Parsed parsed = TimerKeys.parse(TimerKeys.key("6f1c2a52-0000-4000-8000-000000000001", t));
            assertThat(parsed.timer()).isEqualTo(t);
            assertThat(parsed.txId()).isEqualTo("6f1c2a52-0000-4000-8000-000000000001");
        }
    }

    /** A sorted store like RocksDB's, counting the entries a range scan hands out. */
    private static final class CountingStore {
        private final NavigableMap<String, byte[]> entries = new TreeMap<>();
        int visited;

        void put(String key) {
            entries.put(key, new byte[] {1});
        }

        KeyValueIterator<String, byte[]> range(String from, String to) {
            Iterator<Map.Entry<String, byte[]>> it = entries.subMap(from, true, to, true).entrySet().iterator();
            return new KeyValueIterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public KeyValue<String, byte[]> next() {
                    visited++;
                    Map.Entry<String, byte[]> e = it.next();
                    return KeyValue.pair(e.getKey(), e.getValue());
                }

                @Override
                public void close() {}

                @Override
                public String peekNextKey() {
                    throw new UnsupportedOperationException();
                }
            };
        }
    }
}
