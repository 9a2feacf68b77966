package io.sagalog.engine.internal;

import io.sagalog.engine.Definition;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineNotReadyException;
import io.sagalog.engine.HistoryEntry;
import io.sagalog.engine.OperatorActions;
import io.sagalog.engine.TransactionPage;
import io.sagalog.engine.TransactionQueries;
import io.sagalog.engine.TransactionView;
import io.sagalog.engine.TxState;
import io.sagalog.engine.TxStatus;
import io.sagalog.schemas.avro.JournalRecord;
import io.sagalog.schemas.avro.TxStateRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Answers queries from this instance's local stores (interactive queries) and says where the other keys live. */
public final class StoreQueries implements TransactionQueries {
    private final KafkaStreams streams;
    private final Supplier<DefinitionCatalog> definitions;
    private final Endpoint self;

    public StoreQueries(KafkaStreams streams, Supplier<DefinitionCatalog> definitions, Endpoint self) {
        this.streams = streams;
        this.definitions = definitions;
        this.self = self;
    }

    @Override
    public Optional<TransactionView> find(String txId) {
        try {
            return view(store(SagaTopology.TX_STATE, TxStateRecord.class, null).get(txId), txId);
        } catch (InvalidStateStoreException e) {
            throw notReady(e);
        }
    }

    @Override
    public Optional<io.sagalog.engine.ExpiredTransaction> expired(String txId) {
        try {
            ReadOnlyKeyValueStore<String, String> expiry = store(SagaTopology.TX_EXPIRY, String.class, null);
            return Optional.ofNullable(ExpiryIndex.marker(expiry, txId));
        } catch (InvalidStateStoreException e) {
            throw notReady(e);
        }
    }

    private Optional<TransactionView> view(TxStateRecord record, String txId) {
        if (record == null) {
            return Optional.empty();
        }
        TxState state = WireCodec.state(record);
        List<HistoryEntry> history = new ArrayList<>();
        JournalRecord journal = store(SagaTopology.TX_HISTORY, JournalRecord.class, null).get(txId);
        if (journal != null) {
            history.addAll(WireCodec.history(journal));
        }
        Definition definition = definitions.get().find(state.definition(), state.definitionVersion()).orElse(null);
        List<String> plan = definition == null ? state.compensationPlan() : io.sagalog.engine.RollbackPlan.ifStartedNow(state, definition);
        return Optional.of(new TransactionView(state, history, definition, plan));
    }

    @Override
    public TransactionPage list(TxStatus status, String definition, String after, java.time.Instant createdBefore,
                                int limit) {
        if (createdBefore != null) {
            // The index runs newest first, so "created before" is where a range starts; keep the later start.
            String start = TxIndex.cursorBefore(createdBefore.toEpochMilli());
            after = after == null || after.compareTo(start) < 0 ? start : after;
        }
        try {
            // Each partition's index is sorted on its own; read up to the limit from each and merge.
            List<TxIndex.Entry> entries = new ArrayList<>();
            Map<String, Integer> partitionOf = new HashMap<>();
            for (int partition : localPartitions()) {
                for (TxIndex.Entry e : TxIndex.list(store(SagaTopology.TX_INDEX, String.class, partition), status,
                        definition, after, limit)) {
                    entries.add(e);
                    partitionOf.put(e.txId(), partition);
                }
            }
            entries.sort(Comparator.comparing(TxIndex::cursorAfter));
            List<TransactionPage.Summary> items = new ArrayList<>();
            for (TxIndex.Entry e : entries.subList(0, Math.min(limit, entries.size()))) {
                TxStateRecord r = store(SagaTopology.TX_STATE, TxStateRecord.class, partitionOf.get(e.txId())).get(e.txId());
                if (r != null) {
                    TxState s = WireCodec.state(r);
                    items.add(new TransactionPage.Summary(s.txId(), s.definition(), s.definitionVersion(), s.status(),
                            s.reason(), s.createdAt(), s.updatedAt(), TxIndex.cursorAfter(e)));
                }
            }
            String next = entries.size() >= limit && !items.isEmpty() ? items.get(items.size() - 1).cursor() : null;
            return new TransactionPage(items, next);
        } catch (InvalidStateStoreException e) {
            throw notReady(e);
        }
    }

    @Override
    public List<TransactionPage.Count> counts() {
        try {
            Map<String, TransactionPage.Count> sum = new java.util.TreeMap<>();
            for (int partition : localPartitions()) {
                for (TransactionPage.Count c : TxIndex.counts(store(SagaTopology.TX_INDEX, String.class, partition))) {
                    sum.merge(c.definition() + "|" + c.status(), c,
                            (a, b) -> new TransactionPage.Count(a.definition(), a.status(), a.count() + b.count()));
                }
            }
            return List.copyOf(sum.values());
        } catch (InvalidStateStoreException e) {
            throw notReady(e);
        }
    }

    @Override
    public Optional<Endpoint> ownerOf(String txId) {
        KeyQueryMetadata metadata = streams.queryMetadataForKey(SagaTopology.TX_STATE, txId, Serdes.String().serializer());
        if (metadata == null || metadata == KeyQueryMetadata.NOT_AVAILABLE || metadata.activeHost() == null
                || metadata.activeHost().port() < 0) {
            return Optional.empty();
        }
        HostInfo host = metadata.activeHost();
        return Optional.of(new Endpoint(host.host(), host.port()));
    }

    @Override
    public List<Endpoint> instances() {
        Set<String> seen = new TreeSet<>();
        List<Endpoint> all = new ArrayList<>();
        for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
            Endpoint e = new Endpoint(m.hostInfo().host(), m.hostInfo().port());
            if (e.port() >= 0 && seen.add(e.toString())) {
                all.add(e);
            }
        }
        if (seen.add(self.toString())) {
            all.add(self);
        }
        return all;
    }

    @Override
    public Endpoint self() {
        return self;
    }

    /** Partitions whose active task runs on this instance. */
    private List<Integer> localPartitions() {
        Set<Integer> partitions = new TreeSet<>();
        streams.metadataForLocalThreads().forEach(thread -> thread.activeTasks().forEach(task -> {
            for (TopicPartition tp : task.topicPartitions()) {
                partitions.add(tp.partition());
            }
        }));
        if (partitions.isEmpty() && streams.state() != KafkaStreams.State.RUNNING) {
            throw new EngineNotReadyException("the engine's stores are not available yet (" + streams.state()
                    + "); try again in a moment", null);
        }
        return List.copyOf(partitions);
    }

    private EngineNotReadyException notReady(InvalidStateStoreException e) {
        return new EngineNotReadyException("the engine's stores are not available yet (" + streams.state()
                + "); try again in a moment", e);
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name, Class<V> type, Integer partition) {
        StoreQueryParameters<ReadOnlyKeyValueStore<String, V>> params =
                StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore());
        return streams.store(partition == null ? params : params.withPartition(partition));
    }
}
