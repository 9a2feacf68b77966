package io.sagalog.engine;

import java.util.Optional;

/** Reads transactions from the engine's state stores. */
public interface TransactionQueries {

    /**
     * The transaction's state and history, or empty when this engine has no such transaction.
     *
     * @throws EngineNotReadyException while the engine is starting, rebalancing or restoring its stores
     */
    Optional<TransactionView> find(String txId);
}
