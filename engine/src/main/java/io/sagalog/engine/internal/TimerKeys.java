package io.sagalog.engine.internal;

import io.sagalog.engine.Phase;
import io.sagalog.engine.Timer;
import java.time.Instant;

/**
 * Keys of the {@code deadlines} store: {@code <due millis, 16 hex digits>/<txId>/<kind>/<phase>/<attempt>/<step>}.
 * Sorted by due time first, so "everything due by now" is one range scan from the start of the store to
 * {@link #upTo(Instant)}: its cost grows with what is due, not with how many timers are waiting.
 */
final class TimerKeys {
    private TimerKeys() {}

    static String key(String txId, Timer t) {
        return SortableHex.hex16(WireCodec.millis(t.due())) + "/" + txId + "/" + t.kind() + "/"
                + (t.phase() == null ? "-" : t.phase().name()) + "/" + t.attempt() + "/" + (t.step() == null ? "" : t.step());
    }

    /** The smallest key of any timer. */
    static String first() {
        return "0000000000000000/";
    }

    /** The smallest key of a timer due at or after {@code from}. */
    static String from(Instant from) {
        return SortableHex.hex16(Math.max(0, WireCodec.millis(from))) + "/";
    }

    /** A key after every timer due at or before {@code now}. */
    static String upTo(Instant now) {
        return SortableHex.hex16(WireCodec.millis(now)) + "/\uffff";
    }

    record Parsed(String txId, Timer timer) {}

    static Parsed parse(String key) {
        String[] p = key.split("/", 6);
        Phase phase = p[3].equals("-") ? null : Phase.valueOf(p[3]);
        String step = p[5].isEmpty() ? null : p[5];
        return new Parsed(p[1], new Timer(Instant.ofEpochMilli(Long.parseUnsignedLong(p[0], 16)),
                Timer.Kind.valueOf(p[2]), step, Integer.parseInt(p[4]), phase));
    }
}
