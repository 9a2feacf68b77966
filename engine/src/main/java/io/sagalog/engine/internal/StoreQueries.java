package io.sagalog.engine.internal;

import io.sagalog.engine.EngineNotReadyException;
import io.sagalog.engine.HistoryEntry;
import io.sagalog.engine.TransactionQueries;
import io.sagalog.engine.TransactionView;
import io.sagalog.schemas.avro.JournalRecord;
import io.sagalog.schemas.avro.TxStateRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Answers queries from this instance's local stores (interactive queries). */
public final class StoreQueries implements TransactionQueries {
    private final KafkaStreams streams;

    public StoreQueries(KafkaStreams streams) {
        this.streams = streams;
    }

    @Override
    public Optional<TransactionView> find(String txId) {
        try {
            TxStateRecord state = store(SagaTopology.TX_STATE, TxStateRecord.class).get(txId);
            if (state == null) {
                return Optional.empty();
            }
            List<HistoryEntry> history = new ArrayList<>();
            ReadOnlyKeyValueStore<String, JournalRecord> journal = store(SagaTopology.TX_HISTORY, JournalRecord.class);
            try (KeyValueIterator<String, JournalRecord> it =
                         journal.prefixScan(HistoryKeys.prefix(txId), Serdes.String().serializer())) {
                while (it.hasNext()) {
                    KeyValue<String, JournalRecord> next = it.next();
                    history.addAll(WireCodec.history(next.value));
                }
            }
            return Optional.of(new TransactionView(WireCodec.state(state), history));
        } catch (InvalidStateStoreException e) {
            throw new EngineNotReadyException("the engine's stores are not available yet (" + streams.state()
                    + "); try again in a moment", e);
        }
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name, Class<V> type) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    }
}
