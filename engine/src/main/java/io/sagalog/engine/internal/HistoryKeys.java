package io.sagalog.engine.internal;

/**
 * Keys of the {@code tx-history} store: {@code <txId>/<seq as 16 hex digits>}, so one transaction's
 * decisions sort together and in order, and a prefix scan on {@code <txId>/} reads exactly them.
 */
final class HistoryKeys {
    private HistoryKeys() {}

    static String key(String txId, long seq) {
        return prefix(txId) + hex16(seq);
    }

    /** {@code value} as 16 lower-case hex digits, so keys sort by it; cheaper than String.format on the hot path. */
    static String hex16(long value) {
        String hex = Long.toHexString(value);
        return "0000000000000000".substring(hex.length()) + hex;
    }

    static String prefix(String txId) {
        return txId + "/";
    }
}
