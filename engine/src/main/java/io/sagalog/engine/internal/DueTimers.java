package io.sagalog.engine.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;

/** Reads the timers that are due from the {@code deadlines} store with one range scan over due keys only. */
final class DueTimers {
    private DueTimers() {}

    /** The one store operation the scan needs: a range over sorted keys, both ends included. */
    @FunctionalInterface
    interface SortedRange {
        KeyValueIterator<String, byte[]> range(String from, String to);
    }

    /** At most {@code limit} due timers, earliest first; timers due later are never visited. */
    static List<TimerKeys.Parsed> collect(SortedRange deadlines, Instant now, int limit) {
        return collect(deadlines, Instant.EPOCH, now, limit);
    }

    /**
     * Like {@link #collect(SortedRange, Instant, int)}, starting at {@code from}: everything due before it has fired
     * already. Starting there also skips the deleted entries (RocksDB tombstones) of timers long gone, which a scan
     * from the very first key would wade through every tick.
     */
    static List<TimerKeys.Parsed> collect(SortedRange deadlines, Instant from, Instant now, int limit) {
        List<TimerKeys.Parsed> due = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = deadlines.range(TimerKeys.from(from), TimerKeys.upTo(now))) {
            while (it.hasNext() && due.size() < limit) {
                KeyValue<String, byte[]> next = it.next();
                due.add(TimerKeys.parse(next.key));
            }
        }
        return due;
    }
}
