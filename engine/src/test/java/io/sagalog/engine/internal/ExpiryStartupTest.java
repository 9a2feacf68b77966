package io.sagalog.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.Decider;
import io.sagalog.engine.DecisionObserver;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.DefinitionParser;
import io.sagalog.engine.TxState;
import io.sagalog.engine.TxStatus;
import io.sagalog.schemas.AvroSerde;
import io.sagalog.schemas.avro.JournalRecord;
import io.sagalog.schemas.avro.TxStateRecord;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A measured property of the design: the finished transactions waiting to expire are indexed by due time in a
 * persistent store, so a task's start-up reads none of them and a scan visits only what is due.
 */
class ExpiryStartupTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** Counts every read of a store (get, range, all, prefixScan) and every entry its iterators hand out. */
    static final class Counted {
        final AtomicLong reads = new AtomicLong();
        final AtomicLong visited = new AtomicLong();

        @SuppressWarnings("unchecked")
        <V> KeyValueStore<String, V> wrap(KeyValueStore<String, V> store) {
            return (KeyValueStore<String, V>) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {KeyValueStore.class}, (proxy, method, args) -> {
                        Object result = method.invoke(store, args);
                        String name = method.getName();
                        if (List.of("get", "range", "all", "prefixScan", "reverseRange", "reverseAll").contains(name)) {
                            reads.incrementAndGet();
                        }
                        if (result instanceof KeyValueIterator<?, ?> it) {
                            return Proxy.newProxyInstance(getClass().getClassLoader(),
                                    new Class<?>[] {KeyValueIterator.class}, (p, m, a) -> {
                                        if (m.getName().equals("next")) {
                                            visited.incrementAndGet();
                                        }
                                        return m.invoke(it, a);
                                    });
                        }
                        return result;
                    });
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 20_000})
    void startupCostIndependentOfWaitingExpiries(int finished) throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "expiry-startup");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        MockProcessorContext<String, Object> context = new MockProcessorContext<>(props);
        context.setCurrentSystemTimeMs(T0.toEpochMilli());
        Counted stateReads = new Counted();
        Counted expiryReads = new Counted();
        KeyValueStore<String, TxStateRecord> states = store(SagaTopology.TX_STATE, AvroSerde.of(TxStateRecord.class),
                context, stateReads);
        KeyValueStore<String, String> index = store(SagaTopology.TX_INDEX, Serdes.String(), context, new Counted());
        KeyValueStore<String, String> expiry = store(SagaTopology.TX_EXPIRY, Serdes.String(), context, expiryReads);
        store(SagaTopology.DEADLINES, Serdes.ByteArray(), context, new Counted());
        store(SagaTopology.TX_HISTORY, AvroSerde.of(JournalRecord.class), context, new Counted());
        ExpiryIndex expiries = new ExpiryIndex(expiry);
        for (int i = 0; i < finished; i++) {
            String txId = String.format("00000000-0000-7000-8000-%012d", i);
            TxState done = new TxState(txId, "pay", 1, TxStatus.COMPLETED, "{}", List.of(), List.of(), 3, T0, T0, null,
                    T0.plusSeconds(3600), List.of(), List.of(), false, T0.plus(Duration.ofDays(7)));
            states.put(txId, WireCodec.record(done));
            TxIndex.update(index, txId, "pay", T0.toEpochMilli(), null, TxStatus.COMPLETED);
            expiries.schedule(txId, done.expiresAt());
        }
        // Positive control: the one transaction in flight is read (its timers go into the in-memory index).
        String inFlight = "00000000-0000-7000-8000-999999999999";
        states.put(inFlight, WireCodec.record(new TxState(inFlight, "pay", 1, TxStatus.RUNNING, "{}", List.of(), List.of(),
                1, T0, T0, null, T0.plusSeconds(3600), List.of(io.sagalog.engine.Timer.deadline(T0.plusSeconds(3600))),
                List.of())));
        TxIndex.update(index, inFlight, "pay", T0.toEpochMilli(), null, TxStatus.RUNNING);
        stateReads.reads.set(0);
        expiryReads.reads.set(0);

        new TransactionProcessor(new Decider(DefinitionCatalog.of(List.of(DefinitionParser.parse("""
                {"name": "pay", "steps": [{"name": "charge", "participant": "payments", "action": "charge",
                  "compensation": "refund"}]}""", 1)))), Duration.ofMillis(50), DecisionObserver.NONE,
                Duration.ofDays(7)).init(context);

        assertThat(stateReads.reads.get()).as("tx-state reads at start-up with %d finished transactions waiting",
                finished).isEqualTo(1);
        assertThat(expiryReads.reads.get()).as("tx-expiry reads at start-up").isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 1_000, 100_000})
    void expiryScanVisitsOnlyWhatIsDue(int waiting) {
        Counted counted = new Counted();
        MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        ExpiryIndex expiries = new ExpiryIndex(store(SagaTopology.TX_EXPIRY, Serdes.String(), context, counted));
        for (int i = 0; i < 7; i++) {
            expiries.schedule("due-" + i, T0.plusSeconds(i));
        }
        for (int i = 0; i < waiting; i++) {
            expiries.schedule("later-" + i, T0.plus(Duration.ofDays(1)).plusMillis(i));
        }
        counted.visited.set(0);

        List<ExpiryIndex.Due> due = expiries.takeDue(T0.plusSeconds(10).toEpochMilli(), 5_000);

        assertThat(due).extracting(ExpiryIndex.Due::txId).hasSize(7).allMatch(id -> id.startsWith("due-"));
        assertThat(counted.visited.get()).as("entries visited with %d waiting", waiting).isEqualTo(7);
        assertThat(expiries.takeDue(T0.plusSeconds(10).toEpochMilli(), 5_000)).as("handed out once").isEmpty();
    }

    @Test
    void aForgottenMarkerIsGoneWithItsEntry() {
        MockProcessorContext<String, Object> context = new MockProcessorContext<>();
        KeyValueStore<String, String> store = store(SagaTopology.TX_EXPIRY, Serdes.String(), context, new Counted());
        ExpiryIndex expiries = new ExpiryIndex(store);
        expiries.markExpired(new io.sagalog.engine.ExpiredTransaction("tx-1", "pay", TxStatus.COMPLETED, T0, 5),
                T0.plusSeconds(60));
        assertThat(expiries.marker("tx-1")).isNotNull();
        expiries.takeDue(T0.plusSeconds(59).toEpochMilli(), 100);
        assertThat(expiries.marker("tx-1")).as("kept until its time").isNotNull();
        expiries.takeDue(T0.plusSeconds(61).toEpochMilli(), 100);
        assertThat(expiries.marker("tx-1")).isNull();
        try (KeyValueIterator<String, String> it = store.all()) {
            assertThat(it.hasNext()).as("nothing left").isFalse();
        }
    }

    private static <V> KeyValueStore<String, V> store(String name, Serde<V> values, MockProcessorContext<?, ?> context,
                                                      Counted counted) {
        KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name),
                Serdes.String(), values).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        KeyValueStore<String, V> wrapped = counted.wrap(store);
        context.addStateStore(wrapped);
        return wrapped;
    }
}
