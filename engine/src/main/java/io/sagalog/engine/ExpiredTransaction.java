package io.sagalog.engine;

import java.time.Instant;

/**
 * What the engine keeps of a transaction after it expired: a marker, so a late input is recognised (journaled and
 * counted, never starting it again) and a reader gets 410 Gone with where it went. Markers themselves are forgotten
 * after {@code --expired-marker-retention}, which bounds how many there are (see docs/retention.md).
 *
 * @param status the status it ended in
 * @param nextSeq the seq the next journal event about it gets (the history's numbering goes on without gaps)
 */
public record ExpiredTransaction(String txId, String definition, TxStatus status, Instant expiredAt, long nextSeq) {

    /** The same marker after one more journal event. */
    public ExpiredTransaction next() {
        return new ExpiredTransaction(txId, definition, status, expiredAt, nextSeq + 1);
    }
}
