package io.sagalog.engine.internal;

/**
 * Keys of the {@code tx-history} store: {@code <txId>/<seq as 16 hex digits>}, so one transaction's
 * decisions sort together and in order, and a prefix scan on {@code <txId>/} reads exactly them.
 */
final class HistoryKeys {
    private HistoryKeys() {}

    static String key(String txId, long seq) {
        return prefix(txId) + String.format("%016x", seq);
    }

    static String prefix(String txId) {
        return txId + "/";
    }
}
