package io.sagalog.app.bench;

import java.util.Arrays;

/** Collects latencies (microseconds) and reports percentiles; one per run, filled from many threads. */
final class LatencyRecorder {
    private long[] values = new long[1 << 16];
    private int size;

    synchronized void record(long micros) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = micros;
    }

    synchronized int count() {
        return size;
    }

    /** The value at quantile q (0..1) by nearest rank; 0 when empty. */
    synchronized long percentile(double q) {
        if (size == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * size);
        return sorted[Math.min(size - 1, Math.max(0, rank - 1))];
    }
}
