package io.sagalog.engine;

import java.time.Instant;

/**
 * One event in a transaction's history.
 *
 * @param seq position in the history, from 0, without gaps
 * @param status the transaction's status right after the event
 */
public record JournalEntry(long seq, Instant at, TxStatus status, JournalEvent event) {}
