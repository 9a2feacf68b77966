package io.sagalog.engine.internal;

import io.sagalog.engine.Timer;
import io.sagalog.engine.TxState;
import io.sagalog.engine.TxStatus;
import io.sagalog.logging.TransactionMdc;
import io.sagalog.schemas.avro.TxStateRecord;
import java.time.Instant;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A slow look, a batch at a time, for what should never happen: a transaction in flight without any timer, timers
 * missing from the in-memory index, a transaction missing from tx-index, a finished one missing from the expiry
 * index. Each is put back on its way; nothing here decides anything (a repair goes through the log).
 */
final class Sweep {
    private static final Logger log = LoggerFactory.getLogger(Sweep.class);
    private static final int SWEEP_BATCH = 500;
    /** States read per sweep from tx-state itself, in key order, whatever tx-index says. */
    private static final int STATE_WALK_BATCH = 200;
    private static final List<TxStatus> IN_FLIGHT = List.of(TxStatus.RUNNING, TxStatus.COMPENSATING);

    private final KeyValueStore<String, TxStateRecord> states;
    private final KeyValueStore<String, String> index;
    private final TimerIndex timers;
    private final ExpiryIndex expiries;
    /** Appends a TimerFired for the transaction to the control log. */
    private final BiConsumer<String, Timer> fire;
    /** Where the sweep goes on next time: the status it is in and the index cursor in it (null: from the start). */
    private int sweepStatus;
    private String sweepCursor;
    private String stateWalkFrom;

    Sweep(KeyValueStore<String, TxStateRecord> states, KeyValueStore<String, String> index, TimerIndex timers,
          ExpiryIndex expiries, BiConsumer<String, Timer> fire) {
        this.states = states;
        this.index = index;
        this.timers = timers;
        this.expiries = expiries;
        this.fire = fire;
    }

    /**
     * The transactions in flight (RUNNING, COMPENSATING), a batch at a time: one with no timer at all would never
     * move again (a timer lost to a bug or a crash between store flushes), so the decider is asked to repair it
     * through the log; one whose timers are missing from the in-memory index gets them indexed again.
     */
    void run(long nowMillis) {
        List<TxIndex.Entry> batch = TxIndex.list(index, IN_FLIGHT.get(sweepStatus), null, sweepCursor, SWEEP_BATCH);
        for (TxIndex.Entry entry : batch) {
            TxState state = WireCodec.state(states.get(entry.txId()));
            if (state == null || !IN_FLIGHT.contains(state.status())) {
                continue;
            }
            if (state.timers().isEmpty()) {
                try (var mdc = TransactionMdc.of(state.txId(), state.definition(), null)) {
                    log.warn("transaction {} is {} without any timer; asking the decider to repair it", state.txId(),
                            state.status());
                }
                fire.accept(state.txId(), Timer.repair(Instant.ofEpochMilli(nowMillis)));
                continue;
            }
            for (Timer timer : state.timers()) {
                if (timers.reindexIfLost(state.txId(), timer, nowMillis)) {
                    try (var mdc = TransactionMdc.of(state.txId(), state.definition(), null)) {
                        log.warn("timer {} of transaction {} was missing from the timer index; indexed again", timer,
                                state.txId());
                    }
                }
            }
        }
        if (batch.size() < SWEEP_BATCH) {
            sweepStatus = (sweepStatus + 1) % IN_FLIGHT.size();
            sweepCursor = null;
        } else {
            sweepCursor = TxIndex.cursorAfter(batch.get(batch.size() - 1));
        }
        walkStates(nowMillis);
    }

    /**
     * The last net, slow and independent of tx-index: a few states a tick, all of tx-state in turn. A transaction in
     * flight whose tx-index entry is missing (the index's changelog lost the last commit before a crash) would be
     * seen neither by the timer index rebuild nor by the sweep above; it gets its entry back and its timers indexed.
     * A finished one whose expiry is missing from the expiry index gets it back, so it does expire.
     */
    private void walkStates(long nowMillis) {
        int read = 0;
        String last = null;
        try (KeyValueIterator<String, TxStateRecord> it = stateWalkFrom == null ? states.all()
                : states.range(stateWalkFrom, null)) {
            while (it.hasNext() && read < STATE_WALK_BATCH) {
                var next = it.next();
                read++;
                last = next.key;
                if (next.key.equals(stateWalkFrom)) {
                    continue;
                }
                TxStatus status = TxStatus.valueOf(next.value.getStatus());
                if (status.isFinal()) {
                    long expiresAt = next.value.getExpiresAtMillis();
                    if (expiresAt != 0 && !expiries.contains(next.key, Instant.ofEpochMilli(expiresAt))) {
                        try (var mdc = TransactionMdc.of(next.key, next.value.getDefinition(), null)) {
                            log.warn("finished transaction {} was missing from the expiry index; indexed again",
                                    next.key);
                        }
                        expiries.schedule(next.key, Instant.ofEpochMilli(expiresAt));
                    } else if (expiresAt == 0 && !next.value.getHeld()) {
                        // Finished before this engine had retention: any decision on it sets its expiry (from now).
                        fire.accept(next.key, Timer.repair(Instant.ofEpochMilli(nowMillis)));
                    }
                    continue;
                }
                if (TxIndex.contains(index, next.key, next.value.getCreatedAtMillis(), status)) {
                    continue;
                }
                try (var mdc = TransactionMdc.of(next.key, next.value.getDefinition(), null)) {
                    log.warn("transaction {} is {} but missing from tx-index; indexed again with its timers", next.key,
                            status);
                }
                TxIndex.update(index, next.key, next.value.getDefinition(), next.value.getCreatedAtMillis(), null, status);
                for (Timer timer : WireCodec.state(next.value).timers()) {
                    timers.index(next.key, timer);
                }
            }
        }
        stateWalkFrom = read < STATE_WALK_BATCH ? null : last;
    }
}
