package io.sagalog.engine;

import java.util.List;

/**
 * A transaction as the query API shows it.
 *
 * @param history its journal, oldest event first
 * @param definition the definition version it is pinned to, or null when this instance does not know it
 * @param rollbackPlan what a rollback would undo if it started now, in the order it would run (newest first)
 */
public record TransactionView(TxState state, List<HistoryEntry> history, Definition definition,
                              List<String> rollbackPlan) {
    public TransactionView {
        history = List.copyOf(history);
        rollbackPlan = List.copyOf(rollbackPlan);
    }
}
