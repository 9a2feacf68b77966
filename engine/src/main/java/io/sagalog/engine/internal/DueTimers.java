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
        List<TimerKeys.Parsed> due = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = deadlines.range(TimerKeys.first(), TimerKeys.upTo(now))) {
            while (it.hasNext() && due.size() < limit) {
                KeyValue<String, byte[]> next = it.next();
                due.add(TimerKeys.parse(next.key));
            }
        }
        return due;
    }
}
