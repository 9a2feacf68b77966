package io.sagalog.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * How long a transaction is kept, as part of every decision: a finished transaction not on hold has an expiry
 * ({@link TxState#expiresAt()}, its retention from when it ended); any other has none. When the expiry's timer
 * fires, the transaction is archived, and when that record is read back, evicted (two decisions, so nothing is
 * deleted before the archive is written). Operators' {@code hold} and {@code release} change only this.
 */
final class RetentionPath {
    private final Registrations registrations;
    private final Retention defaults;

    RetentionPath(Registrations registrations, Retention defaults) {
        this.registrations = registrations;
        this.defaults = defaults;
    }

    Retention defaults() {
        return defaults;
    }

    /** After every decision: sets the expiry of a transaction that just finished (or was released), clears it otherwise. */
    void reconcile(Work w) {
        TxState s = w.state();
        if (s == null) {
            return;
        }
        boolean expires = s.status().isFinal() && !s.held();
        if (!expires) {
            if (s.expiresAt() != null) {
                w.state(s.withExpiresAt(null));
            }
            return;
        }
        if (s.expiresAt() == null) {
            Definition definition = registrations.definitions().find(s.definition(), s.definitionVersion()).orElse(null);
            Duration keep = defaults.of(s.status(), definition).orElseThrow();
            w.state(s.withExpiresAt(w.now.plus(keep)));
        }
    }

    /** The retention is over: archive the final state and history (nothing is deleted yet). */
    void expire(Work w, Input.TimerFired fired) {
        if (current(w, fired)) {
            w.retire(Decision.Retirement.ARCHIVE);
        }
    }

    /** The archive record was written (its EVICT timer, appended after it, was read back): evict the transaction. */
    void evict(Work w, Input.TimerFired fired) {
        if (current(w, fired)) {
            w.emit(new JournalEvent.TxExpired(w.status(), fired.timer().due(), "retention of a " + w.status()
                    + " transaction is over; archived, and deleted from the engine's stores"));
            w.retire(Decision.Retirement.EVICT);
        }
    }

    /**
     * Whether the fired timer is the transaction's expiry as it stands: one from before a hold, a release or a late
     * effect that reopened it is stale and changes nothing (a timer that fires twice after a restart, too).
     */
    private static boolean current(Work w, Input.TimerFired fired) {
        TxState s = w.state();
        return s.status().isFinal() && !s.held() && fired.timer().due().equals(s.expiresAt());
    }

    void hold(Work w) {
        w.state(w.state().withHeld(true).withExpiresAt(null));
    }

    /** The retention starts again from the release: whoever lifted a hold gets the usual time to look once more. */
    void release(Work w) {
        w.state(w.state().withHeld(false).withExpiresAt(null));
    }

    /**
     * An input for a transaction that expired: journaled (numbered after its last event), never applied; its own
     * timers read again after a crash are stale and leave no trace. Nothing is stored, so it cannot come back.
     */
    static Decision afterExpiry(ExpiredTransaction expired, Input input, Instant now) {
        if (input instanceof Input.TimerFired) {
            // A timer of the expired transaction read again (a replay after a crash): stale, and like every stale
            // timer it leaves no trace; above all it expires nothing twice.
            return new Decision(null, List.of(), List.of(), List.of());
        }
        String what = input.getClass().getSimpleName();
        JournalEntry entry = new JournalEntry(expired.nextSeq(), now, expired.status(), new JournalEvent.InputAfterExpiry(
                what, "transaction " + expired.txId() + " expired at " + expired.expiredAt() + " and was archived; a "
                + what + " for it changes nothing"));
        return new Decision(null, List.of(entry), List.of(), List.of());
    }
}
