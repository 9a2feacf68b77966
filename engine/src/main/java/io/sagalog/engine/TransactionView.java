package io.sagalog.engine;

import java.util.List;

/** A transaction as the query API shows it: its current state and its history, oldest event first. */
public record TransactionView(TxState state, List<HistoryEntry> history) {
    public TransactionView {
        history = List.copyOf(history);
    }
}
