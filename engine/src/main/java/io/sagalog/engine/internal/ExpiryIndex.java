package io.sagalog.engine.internal;

import io.sagalog.engine.ExpiredTransaction;
import io.sagalog.engine.TxStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The persistent, changelogged store {@code tx-expiry}: finished transactions by when they expire, and the markers
 * of the expired ones.
 * <ul>
 * <li>{@code t|<due, 16 hex digits>|<txId>|E}: the transaction expires at due (its state's {@code expiresAt});</li>
 * <li>{@code t|<due>|<txId>|F}: its marker is forgotten at due ({@code --expired-marker-retention} after expiry);</li>
 * <li>{@code x|<txId>}: the marker, {@code <expiredAt millis>|<status>|<nextSeq>|<definition>}.</li>
 * </ul>
 * Sorted by due time, so "what is due" is one range read that visits nothing that is not due. Unlike the timers of
 * transactions in flight (rebuilt in memory from tx-state when a task starts), this index is restored with the
 * task: a task's start-up reads none of the finished transactions waiting to expire, however many there are.
 */
final class ExpiryIndex {
    private static final String TIMERS = "t|";
    private static final String MARKERS = "x|";
    static final char EXPIRE = 'E';
    static final char FORGET = 'F';

    private final KeyValueStore<String, String> store;
    /** Entries before this key were handed out already (their records are on their way through the log). */
    private String scanFrom = TIMERS;

    ExpiryIndex(KeyValueStore<String, String> store) {
        this.store = store;
    }

    /** One due entry. */
    record Due(long dueMillis, String txId, char kind) {}

    static String key(long dueMillis, String txId, char kind) {
        return TIMERS + SortableHex.hex16(Math.max(0, dueMillis)) + "|" + txId + "|" + kind;
    }

    void schedule(String txId, Instant due) {
        String key = key(WireCodec.millis(due), txId, EXPIRE);
        store.put(key, "");
        if (key.compareTo(scanFrom) < 0) {
            scanFrom = key; // scheduled behind the scan (a decision at an old record's time, while catching up)
        }
    }

    void cancel(String txId, Instant due) {
        store.delete(key(WireCodec.millis(due), txId, EXPIRE));
    }

    boolean contains(String txId, Instant due) {
        return store.get(key(WireCodec.millis(due), txId, EXPIRE)) != null;
    }

    /** Leaves the marker of an expired transaction, to be forgotten at {@code forgetAt}. */
    void markExpired(ExpiredTransaction expired, Instant forgetAt) {
        store.put(MARKERS + expired.txId(), WireCodec.millis(expired.expiredAt()) + "|" + expired.status() + "|"
                + expired.nextSeq() + "|" + expired.definition());
        String key = key(WireCodec.millis(forgetAt), expired.txId(), FORGET);
        store.put(key, "");
        if (key.compareTo(scanFrom) < 0) {
            scanFrom = key;
        }
    }

    /** A later input was journaled about it: the marker's seq goes on (its forget entry stays). */
    void update(ExpiredTransaction expired) {
        if (store.get(MARKERS + expired.txId()) != null) {
            store.put(MARKERS + expired.txId(), WireCodec.millis(expired.expiredAt()) + "|" + expired.status() + "|"
                    + expired.nextSeq() + "|" + expired.definition());
        }
    }

    ExpiredTransaction marker(String txId) {
        return parseMarker(txId, store.get(MARKERS + txId));
    }

    /** The marker from a read-only view of the store (interactive queries). */
    static ExpiredTransaction marker(org.apache.kafka.streams.state.ReadOnlyKeyValueStore<String, String> store, String txId) {
        return parseMarker(txId, store.get(MARKERS + txId));
    }

    static ExpiredTransaction parseMarker(String txId, String value) {
        if (value == null) {
            return null;
        }
        String[] p = value.split("\\|", 4);
        return new ExpiredTransaction(txId, p[3], TxStatus.valueOf(p[1]), Instant.ofEpochMilli(Long.parseLong(p[0])),
                Long.parseLong(p[2]));
    }

    /**
     * The entries due by {@code horizon}, at most {@code limit}, from where the last call stopped. Expiry entries stay
     * until the decision on them removes them (a crash in between loses nothing: the next task's scan finds them
     * again); forget entries are carried out at once with their marker (no decision depends on the wall clock there:
     * an input after the marker is gone is journaled as for a transaction never seen).
     */
    List<Due> takeDue(long horizon, int limit) {
        List<Due> due = new ArrayList<>();
        String upTo = TIMERS + SortableHex.hex16(Math.max(0, horizon)) + "|\uffff";
        if (scanFrom.compareTo(upTo) > 0) {
            return due;
        }
        String last = null;
        int visited = 0;
        try (KeyValueIterator<String, String> it = store.range(scanFrom, upTo)) {
            while (it.hasNext() && visited++ < limit) {
                KeyValue<String, String> next = it.next();
                last = next.key;
                String[] p = next.key.split("\\|");
                Due d = new Due(Long.parseUnsignedLong(p[1], 16), p[2], p[3].charAt(0));
                if (d.kind() == FORGET) {
                    store.delete(next.key);
                    store.delete(MARKERS + d.txId());
                } else {
                    due.add(d);
                }
            }
        }
        if (last != null) {
            scanFrom = last + "\u0000"; // just after the last entry handed out
        }
        return due;
    }
}
