package io.sagalog.engine;

import java.util.List;
import java.util.Optional;

/**
 * Reads transactions from this engine instance's state stores (interactive queries). Each instance holds the
 * transactions of the partitions it owns; {@link #ownerOf} and {@link #instances} say where the others are, so the
 * HTTP layer can forward or fan out.
 *
 * <p>Every method may throw {@link EngineNotReadyException} while the engine is starting, rebalancing or restoring.
 */
public interface TransactionQueries {

    /** The transaction's state and history, or empty when this instance has no such transaction. */
    Optional<TransactionView> find(String txId);

    /**
     * The marker of a transaction that expired (archived, then deleted from the stores), while the engine still
     * remembers it ({@code --expired-marker-retention}); empty otherwise.
     */
    default Optional<ExpiredTransaction> expired(String txId) {
        return Optional.empty();
    }

    /**
     * Transactions held by this instance, newest first, read from the tx-index (no scans).
     *
     * @param status null for every status
     * @param definition null for every definition
     * @param after a cursor from an earlier page, or null
     * @param createdBefore only transactions created before this (e.g. to find stuck ones), or null
     */
    TransactionPage list(TxStatus status, String definition, String after, java.time.Instant createdBefore, int limit);

    /** Counts per definition and status of the transactions this instance holds. */
    List<TransactionPage.Count> counts();

    /** The instance that owns the transaction's partition, or empty while that is not known (rebalancing). */
    Optional<Endpoint> ownerOf(String txId);

    /** Every engine instance of the application, this one included. */
    List<Endpoint> instances();

    /** This instance's own address, as other instances reach it. */
    Endpoint self();

    /**
     * Whether this node holds transactions itself. A stateless front end ({@code sagalog ingest}) does not: it
     * sends every question to an engine instance unmarked, so that instance routes it on to the owner.
     */
    default boolean holdsTransactions() {
        return true;
    }

    /** An engine instance's HTTP address ({@code application.server}). */
    record Endpoint(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }
}
