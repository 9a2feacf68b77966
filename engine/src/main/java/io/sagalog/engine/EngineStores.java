package io.sagalog.engine;

import io.sagalog.engine.internal.SagaTopology;
import io.sagalog.engine.internal.TxIndex;
import java.util.List;

/**
 * The engine's stores as Kafka holds them, for tools outside the engine that read or write their changelogs (the
 * bench's prefill): the names of the stores a transaction has entries in, their changelog topics, and the
 * {@code tx-index} key of a transaction's status. The engine itself uses the same definitions.
 */
public final class EngineStores {
    /** The stores that hold a transaction: its state, its history, and its index entries. */
    public static final List<String> TRANSACTION_STORES =
            List.of(SagaTopology.TX_STATE, SagaTopology.TX_HISTORY, SagaTopology.TX_INDEX);
    public static final String TX_STATE = SagaTopology.TX_STATE;
    public static final String TX_INDEX = SagaTopology.TX_INDEX;

    private EngineStores() {}

    /** The changelog topic of a store, as Kafka Streams names it: {@code <application.id>-<store>-changelog}. */
    public static String changelog(String applicationId, String store) {
        return applicationId + "-" + store + "-changelog";
    }

    /** The start of every {@code tx-index} key of a transaction in this status; the txId ends the key. */
    public static String statusKeyPrefix(TxStatus status) {
        return TxIndex.statusKeyPrefix(status);
    }

    /** The txId of a {@code tx-index} key that starts with {@link #statusKeyPrefix}. */
    public static String txIdOfStatusKey(String key) {
        return TxIndex.txIdOfStatusKey(key);
    }
}
