package io.sagalog.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.TransactionPage;
import io.sagalog.engine.TxStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tx-index on a real RocksDB store: lists read only the page they return, whatever the store holds. */
class TxIndexTest {
    private static final long T0 = 1_800_000_000_000L;

    @TempDir
    Path stateDir;
    private KeyValueStore<String, String> store;

    @BeforeEach
    void open() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tx-index-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>(props,
                new org.apache.kafka.streams.processor.TaskId(0, 0), stateDir.toFile());
        store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SagaTopology.TX_INDEX), Serdes.String(),
                Serdes.String()).withLoggingDisabled().withCachingDisabled().build();
        store.init(context.getStateStoreContext(), store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void shouldListTheFiftyNewestParkedOf100kTransactionsReadingOnlyThoseFifty() {
        // 100,000 transactions, one a millisecond; every 100th parks, the others complete.
        List<String> parked = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            String txId = new UUID(0, i).toString();
            String definition = i % 2 == 0 ? "trip" : "refund";
            TxIndex.update(store, txId, definition, T0 + i, null, TxStatus.RUNNING);
            TxStatus end = i % 100 == 0 ? TxStatus.PARKED : TxStatus.COMPLETED;
            TxIndex.update(store, txId, definition, T0 + i, TxStatus.RUNNING, end);
            if (end == TxStatus.PARKED) {
                parked.add(txId);
            }
        }
        java.util.Collections.reverse(parked); // newest first
        CountingStore counting = new CountingStore(store);

        List<TxIndex.Entry> page = TxIndex.list(counting, TxStatus.PARKED, null, null, 50);

        assertThat(page).extracting(TxIndex.Entry::txId)
                .containsExactlyElementsOf(parked.subList(0, 50));
        assertThat(counting.entriesRead.get()).as("entries read from the store for a page of 50").isLessThanOrEqualTo(50);

        counting.entriesRead.set(0);
        List<TxIndex.Entry> next = TxIndex.list(counting, TxStatus.PARKED, null, TxIndex.cursorAfter(page.get(49)), 50);
        assertThat(next).extracting(TxIndex.Entry::txId).containsExactlyElementsOf(parked.subList(50, 100));
        assertThat(counting.entriesRead.get()).isLessThanOrEqualTo(50);
    }

    @Test
    void shouldListByDefinitionAndAcrossStatusesNewestFirst() {
        TxIndex.update(store, "a", "trip", T0 + 1, null, TxStatus.RUNNING);
        TxIndex.update(store, "b", "refund", T0 + 2, null, TxStatus.RUNNING);
        TxIndex.update(store, "c", "trip", T0 + 3, null, TxStatus.RUNNING);
        TxIndex.update(store, "c", "trip", T0 + 3, TxStatus.RUNNING, TxStatus.PARKED);

        assertThat(TxIndex.list(store, null, "trip", null, 10)).extracting(TxIndex.Entry::txId).containsExactly("c", "a");
        assertThat(TxIndex.list(store, null, null, null, 2)).extracting(TxIndex.Entry::txId).containsExactly("c", "b");
        assertThat(TxIndex.list(store, TxStatus.RUNNING, "trip", null, 10)).extracting(TxIndex.Entry::txId)
                .containsExactly("a");
        assertThat(TxIndex.list(store, TxStatus.RUNNING, "refund", null, 10)).extracting(TxIndex.Entry::txId)
                .containsExactly("b");
        assertThat(TxIndex.list(store, TxStatus.PARKED, "trip", null, 10)).extracting(TxIndex.Entry::txId)
                .containsExactly("c");
        assertThat(TxIndex.list(store, TxStatus.PARKED, "refund", null, 10)).isEmpty();
        assertThat(TxIndex.list(store, TxStatus.RUNNING, null, null, 10).get(0).createdAtMillis()).isEqualTo(T0 + 2);
    }

    @Test
    void shouldCountPerDefinitionAndStatusAsTransactionsMove() {
        TxIndex.update(store, "a", "trip", T0, null, TxStatus.RUNNING);
        TxIndex.update(store, "b", "trip", T0, null, TxStatus.RUNNING);
        TxIndex.update(store, "a", "trip", T0, TxStatus.RUNNING, TxStatus.COMPLETED);
        TxIndex.update(store, "a", "trip", T0, TxStatus.COMPLETED, TxStatus.COMPLETED);

        assertThat(TxIndex.counts(store)).containsExactlyInAnyOrder(
                new TransactionPage.Count("trip", TxStatus.COMPLETED, 1),
                new TransactionPage.Count("trip", TxStatus.RUNNING, 1));
        assertThat(TxIndex.list(store, TxStatus.RUNNING, null, null, 10)).extracting(TxIndex.Entry::txId)
                .containsExactly("b");
    }

    /** Counts every entry any iterator of the store hands out. */
    private static final class CountingStore implements ReadOnlyKeyValueStore<String, String> {
        final ReadOnlyKeyValueStore<String, String> inner;
        final AtomicLong entriesRead = new AtomicLong();

        CountingStore(ReadOnlyKeyValueStore<String, String> inner) {
            this.inner = inner;
        }

        @Override
        public String get(String key) {
            entriesRead.incrementAndGet();
            return inner.get(key);
        }

        @Override
        public KeyValueIterator<String, String> range(String from, String to) {
            return counted(inner.range(from, to));
        }

        @Override
        public KeyValueIterator<String, String> all() {
            return counted(inner.all());
        }

        @Override
        public long approximateNumEntries() {
            return inner.approximateNumEntries();
        }

        private KeyValueIterator<String, String> counted(KeyValueIterator<String, String> it) {
            return new KeyValueIterator<>() {
                @Override
                public void close() {
                    it.close();
                }

                @Override
                public String peekNextKey() {
                    return it.peekNextKey();
                }

                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public KeyValue<String, String> next() {
                    entriesRead.incrementAndGet();
                    return it.next();
                }
            };
        }
    }
}
