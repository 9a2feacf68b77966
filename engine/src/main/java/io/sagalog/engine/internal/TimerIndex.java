package io.sagalog.engine.internal;

import io.sagalog.engine.Timer;
import io.sagalog.engine.TxState;
import io.sagalog.engine.TxStatus;
import io.sagalog.schemas.avro.TxStateRecord;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The in-memory index of the unfinished transactions' timers by due time (store {@code deadlines}), rebuilt from
 * tx-state when a task starts, and the scan that finds what is due. The timers themselves are durable in tx-state.
 */
final class TimerIndex {
    private static final byte[] TIMER_VALUE = {1};
    /** Room for small wall-clock steps backwards between ticks. */
    private static final long SCAN_SLACK_MILLIS = 1_000;
    private static final long FIRING_GRACE_MILLIS = 30_000;

    private final KeyValueStore<String, byte[]> deadlines;
    /** Timers due before this have all fired (timers are never scheduled in the past); scans start here. */
    private long scanFromMillis = 0;
    /**
     * Timers appended to the log and not read back yet (timer key to the wall-clock time it was appended), so the
     * sweep does not index them again while their record is on its way.
     */
    private final Map<String, Long> firing = new HashMap<>();

    TimerIndex(KeyValueStore<String, byte[]> deadlines) {
        this.deadlines = deadlines;
    }

    /**
     * Only unfinished transactions have timers, and tx-index lists exactly those, so the rebuild reads O(in flight),
     * not every transaction ever run (finished ones waiting to expire are in the persistent {@link ExpiryIndex}).
     *
     * @return how many transactions and timers it indexed
     */
    int[] rebuild(KeyValueStore<String, String> index, KeyValueStore<String, TxStateRecord> states) {
        int[] counts = new int[2];
        for (TxStatus status : List.of(TxStatus.RUNNING, TxStatus.COMPENSATING, TxStatus.PARKED)) {
            TxIndex.forEach(index, status, txId -> {
                TxState state = WireCodec.state(states.get(txId));
                if (state != null) {
                    counts[0]++;
                    for (Timer timer : state.timers()) {
                        index(txId, timer);
                        counts[1]++;
                    }
                }
            });
        }
        return counts;
    }

    void index(String txId, Timer timer) {
        deadlines.put(TimerKeys.key(txId, timer), TIMER_VALUE);
        // A timer may be due before where the scans start (a decision at an old record's time, while catching up):
        // move the start back so it is never skipped.
        scanFromMillis = Math.min(scanFromMillis, WireCodec.millis(timer.due()));
    }

    void remove(String txId, Timer timer) {
        deadlines.delete(TimerKeys.key(txId, timer));
    }

    /**
     * Takes the timers due by {@code horizon} (at most {@code limit}) out of the index: each is to be appended to the
     * log as a TimerFired; it stays in its transaction's state until that record is read back, so a crash in between
     * loses nothing (the index is rebuilt from the states).
     */
    List<TimerKeys.Parsed> takeDue(long horizon, long nowMillis, int limit) {
        if (horizon < scanFromMillis) {
            return List.of(); // nothing can be due yet (the log time lags where the scans start)
        }
        List<TimerKeys.Parsed> due = DueTimers.collect(deadlines::range, Instant.ofEpochMilli(scanFromMillis),
                Instant.ofEpochMilli(horizon), limit);
        for (TimerKeys.Parsed t : due) {
            deadlines.delete(TimerKeys.key(t.txId(), t.timer()));
            firing(t.txId(), t.timer(), nowMillis);
        }
        scanFromMillis = due.size() == limit ? due.get(due.size() - 1).timer().due().toEpochMilli()
                : Math.max(scanFromMillis, horizon - SCAN_SLACK_MILLIS);
        return due;
    }

    void firing(String txId, Timer timer, long nowMillis) {
        firing.put(TimerKeys.key(txId, timer), nowMillis);
        if (firing.size() > 100_000) {
            firing.clear(); // only a hint for the sweep; never let it grow without bound
        }
    }

    /** Its TimerFired was read back. */
    void fired(String txId, Timer timer) {
        firing.remove(TimerKeys.key(txId, timer));
    }

    /**
     * A timer of the state missing from the index and not on its way through the log (or on its way for so long it
     * was lost with an aborted transaction): indexed again. True when it was missing.
     */
    boolean reindexIfLost(String txId, Timer timer, long nowMillis) {
        String key = TimerKeys.key(txId, timer);
        Long firedAt = firing.get(key);
        if (deadlines.get(key) == null && (firedAt == null || nowMillis - firedAt > FIRING_GRACE_MILLIS)) {
            firing.remove(key);
            index(txId, timer);
            return true;
        }
        return false;
    }
}
