package io.sagalog.engine;

import java.time.Instant;

/**
 * One journal event as read back from the history store, in the journal's own terms.
 *
 * @param detail event-specific facts as JSON text, or null
 */
public record HistoryEntry(long seq, Instant at, String type, TxStatus status, String step, Integer attempt,
                           String reason, String detail) {}
