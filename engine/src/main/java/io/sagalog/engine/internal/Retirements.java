package io.sagalog.engine.internal;

import io.sagalog.engine.Decision;
import io.sagalog.engine.ExpiredTransaction;
import io.sagalog.engine.HistoryEntry;
import io.sagalog.engine.Timer;
import io.sagalog.engine.TxState;
import io.sagalog.schemas.avro.JournalRecord;
import io.sagalog.schemas.avro.TxStateRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Carries out the two halves of a finished transaction's expiry ({@link Decision.Retirement}).
 *
 * <p>Archive first, evict after, in two decisions with a commit between them: ARCHIVE sends the archive record and
 * then appends an {@code EVICT} timer to the control log, and asks for a commit. The EVICT is decided only once it
 * is read back, which is after that commit (a record appended while processing is fetched by a later poll, and the
 * stream thread commits requested commits before it polls again); a commit waits for every record sent before it,
 * the archive record included, to be acknowledged. So when anything is deleted the archive record is in Kafka, under
 * {@code at_least_once} as under {@code exactly_once_v2} (where all of it is one Kafka transaction anyway). A crash
 * before that commit replays the expiry, which archives again: the archive holds each expired transaction at least
 * once, keyed by txId (docs/retention.md).
 */
final class Retirements {
    private final KeyValueStore<String, TxStateRecord> states;
    private final KeyValueStore<String, JournalRecord> history;
    private final KeyValueStore<String, String> index;
    private final ExpiryIndex expiries;
    private final Duration markerRetention;

    Retirements(KeyValueStore<String, TxStateRecord> states, KeyValueStore<String, JournalRecord> history,
                KeyValueStore<String, String> index, ExpiryIndex expiries, Duration markerRetention) {
        this.states = states;
        this.history = history;
        this.index = index;
        this.expiries = expiries;
        this.markerRetention = markerRetention;
    }

    /** Final state and history to the archive topic, then the EVICT timer to the control log. */
    void archive(ProcessorContext<String, Object> context, TxState state, long timestamp, long nowMillis) {
        JournalRecord journal = history.get(state.txId());
        List<HistoryEntry> events = journal == null ? List.of() : WireCodec.history(journal);
        String archived = ArchiveJson.write(state, events, Instant.ofEpochMilli(timestamp));
        context.forward(new Record<>(state.txId(), (Object) archived, timestamp), SagaTopology.ARCHIVE_SINK);
        expiries.cancel(state.txId(), state.expiresAt());
        context.forward(new Record<>(state.txId(), (Object) WireCodec.timerFired(state.txId(),
                Timer.evict(state.expiresAt()), nowMillis), nowMillis), SagaTopology.CONTROL_SINK);
        context.commit();
    }

    /** Deletes the transaction from tx-state, tx-history and tx-index (counts follow) and leaves its marker. */
    void evict(TxState before, Decision decision, Instant now) {
        String txId = before.txId();
        states.delete(txId);
        history.delete(txId);
        TxIndex.remove(index, txId, before.definition(), WireCodec.millis(before.createdAt()), before.status());
        long nextSeq = decision.state() == null ? before.nextSeq() : decision.state().nextSeq();
        expiries.markExpired(new ExpiredTransaction(txId, before.definition(), before.status(), now, nextSeq),
                now.plus(markerRetention));
    }
}
