package io.sagalog.engine.internal;

import io.sagalog.engine.Decider;
import io.sagalog.engine.DecisionObserver;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.schemas.AvroSerde;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.JournalRecord;
import io.sagalog.schemas.avro.StepRequest;
import io.sagalog.schemas.avro.TxStateRecord;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.state.Stores;

/** The engine's whole topology, top to bottom. */
public final class SagaTopology {
    public static final String TX_STATE = "tx-state";
    public static final String TX_HISTORY = "tx-history";
    public static final String DEADLINES = "deadlines";
    public static final String TX_INDEX = "tx-index";
    public static final String TX_EXPIRY = "tx-expiry";
    /** How often due timers are looked for. */
    public static final Duration TIMER_TICK = Duration.ofMillis(50);
    /**
     * Largest record the engine writes: a state holds the input and every step's output, so it can outgrow a step
     * request; the changelogs are created to take it.
     */
    public static final int MAX_STATE_RECORD_BYTES = 8 * 1024 * 1024;
    private static final java.util.Map<String, String> CHANGELOG_CONFIG =
            java.util.Map.of("max.message.bytes", Integer.toString(MAX_STATE_RECORD_BYTES));
    static final String SOURCE = "control-log";
    static final String PROCESSOR = "transactions";
    static final String JOURNAL_SINK = "journal";
    static final String STEPS_SINK = "step-requests";
    static final String CONTROL_SINK = "timers-fired";
    static final String ARCHIVE_SINK = "archive";

    private SagaTopology() {}

    /** Over a fixed set of definitions, every participant registered, the default topic names (tests). */
    public static Topology build(DefinitionCatalog definitions) {
        return build(io.sagalog.engine.Registrations.fixed(definitions), DecisionObserver.NONE,
                io.sagalog.schemas.TopicNames.DEFAULT);
    }

    /**
     * @param registrations the registry's definitions and participants (steps of unregistered ones wait, parked)
     * @param observer told of every decision (metrics); must not block
     * @param topics the deployment's topic names (--topic-prefix)
     */
    public static Topology build(io.sagalog.engine.Registrations registrations, DecisionObserver observer,
                                 io.sagalog.schemas.TopicNames topics) {
        return build(registrations, observer, topics, io.sagalog.engine.Retention.DEFAULTS);
    }

    /** @param retention how long finished transactions stay in the stores, by outcome ({@code --retain-*}) */
    public static Topology build(io.sagalog.engine.Registrations registrations, DecisionObserver observer,
                                 io.sagalog.schemas.TopicNames topics, io.sagalog.engine.Retention retention) {
        return build(registrations, observer, topics, retention, io.sagalog.engine.trace.SpanSink.NONE);
    }

    /** @param spans where the spans of transactions and attempts go as decisions finish them (no-op: none) */
    public static Topology build(io.sagalog.engine.Registrations registrations, DecisionObserver observer,
                                 io.sagalog.schemas.TopicNames topics, io.sagalog.engine.Retention retention,
                                 io.sagalog.engine.trace.SpanSink spans) {
        Serde<String> keys = Serdes.String();
        Topology topology = new Topology();

        // 1. Read every input (requests, step results, operator commands, timers fired) from the control log, keyed by
        //    txId.
        topology.addSource(SOURCE, keys.deserializer(), Topics.CONTROL.serde().deserializer(), topics.control().name());

        // 2. Apply each input to its transaction's state with the pure decider.
        topology.addProcessor(PROCESSOR, () -> new TransactionProcessor(new Decider(registrations).withRetention(retention),
                TIMER_TICK, observer, retention.expiredMarkers(), new DecisionSpans(spans)), SOURCE);

        // 3. tx-history holds each transaction's journal, one entry per decision (a replay's repeated decisions,
        //    the same events with the same seqs, are dropped by seq when appended again); tx-state, registered
        //    last (below), its current state.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TX_HISTORY), keys,
                AvroSerde.of(JournalRecord.class)).withCachingEnabled().withLoggingEnabled(CHANGELOG_CONFIG), PROCESSOR);

        //    deadlines indexes the transactions' timers (step timeouts, retry backoffs, deadlines) by due time, so
        //    a wall-clock punctuator reads only what is due. The timers themselves are durable in tx-state; this
        //    index is kept in memory and rebuilt from tx-state when a task starts, so it costs no changelog
        //    records and no RocksDB tombstones (see docs/recovery.md).
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(DEADLINES), keys,
                Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled(), PROCESSOR);

        //    tx-index lists transactions by status and definition, newest first, with counts (see TxIndex).
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TX_INDEX), keys,
                Serdes.String()).withCachingEnabled(), PROCESSOR);

        //    tx-expiry holds the finished transactions by when they expire, and the markers of expired ones (see
        //    ExpiryIndex). Changelogged, unlike the timers in flight: restored with the task, so a task's start-up
        //    reads nothing about finished transactions, however many wait to expire.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TX_EXPIRY), keys,
                Serdes.String()).withCachingEnabled(), PROCESSOR);

        //    tx-state last: stores are flushed in the order they are registered, so after a crash in the middle of a
        //    commit the history and the index are rather ahead of the state than behind it. Behind, a transaction
        //    in flight could be missing from tx-index, which the timer index and the sweep are rebuilt from.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TX_STATE), keys,
                AvroSerde.of(TxStateRecord.class)).withCachingEnabled().withLoggingEnabled(CHANGELOG_CONFIG), PROCESSOR);

        // 4. Append what happened to the journal.
        topology.addSink(JOURNAL_SINK, topics.journal().name(), keys.serializer(),
                narrow(Topics.JOURNAL.serde().serializer()), PROCESSOR);

        // 5. Send step requests to each participant's own topic.
        TopicNameExtractor<String, Object> stepTopic =
                (key, request, ctx) -> topics.steps(((StepRequest) request).getParticipant()).name();
        topology.addSink(STEPS_SINK, stepTopic, keys.serializer(), narrow(AvroSerde.of(StepRequest.class)), PROCESSOR);

        // 6. Append a TimerFired for each due timer back to the control log (same key, so the same partition): a
        //    timer takes effect when step 2 reads it, so every decision is a function of the log.
        topology.addSink(CONTROL_SINK, topics.control().name(), keys.serializer(),
                narrow(Topics.CONTROL.serde().serializer()), PROCESSOR);

        // 7. Before a finished transaction is evicted, its final state and history go to the archive (JSON, key txId).
        topology.addSink(ARCHIVE_SINK, topics.archive(), keys.serializer(), narrow(Serdes.String().serializer()),
                PROCESSOR);
        return topology;
    }

    /** The processor forwards several record types; each sink only ever receives its own. */
    @SuppressWarnings("unchecked")
    private static <T> Serializer<Object> narrow(Serializer<T> serializer) {
        return (topic, value) -> serializer.serialize(topic, (T) value);
    }
}
