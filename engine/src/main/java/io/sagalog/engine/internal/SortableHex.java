package io.sagalog.engine.internal;

/** Numbers as fixed-width hex text, so store keys that start with them sort by them (timers, tx-index). */
final class SortableHex {
    private SortableHex() {}

    /** {@code value} as 16 lower-case hex digits, so keys sort by it; cheaper than String.format on the hot path. */
    static String hex16(long value) {
        String hex = Long.toHexString(value);
        return "0000000000000000".substring(hex.length()) + hex;
    }

}
