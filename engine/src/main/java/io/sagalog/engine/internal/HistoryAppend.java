package io.sagalog.engine.internal;

import io.sagalog.schemas.avro.JournalEvent;
import io.sagalog.schemas.avro.JournalRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A transaction's history is one entry of tx-history holding all its events: each decision rewrites it, and the
 * store's cache folds the rewrites of one commit interval into one changelog record (one key per decision would
 * write one record per decision). Very long histories keep their newest events; the journal topic has them all.
 */
final class HistoryAppend {
    private HistoryAppend() {}

    static void append(KeyValueStore<String, JournalRecord> history, String txId, JournalRecord decision, int maxEvents) {
        JournalRecord existing = history.get(txId);
        if (existing == null) {
            history.put(txId, decision);
            return;
        }
        List<JournalEvent> events = new ArrayList<>(existing.getEvents());
        long last = events.isEmpty() ? -1 : events.get(events.size() - 1).getSeq();
        // A replay after a crash repeats decisions whose events the history already holds (same seqs): keep one copy.
        decision.getEvents().stream().filter(e -> e.getSeq() > last).forEach(events::add);
        if (events.size() > maxEvents) {
            events = new ArrayList<>(events.subList(events.size() - maxEvents, events.size()));
        }
        history.put(txId, JournalRecord.newBuilder().setTxId(txId).setEvents(events).build());
    }
}
