package io.sagalog.bench;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Latency second by second over a measured window. One set of percentiles for a whole run hides when things went
 * wrong: a compaction, a rebalance or a GC pause shows up here as a spike at its second, and a system that slowly
 * falls behind as a ramp. Operations are placed in the second they were meant to start (for an open loop, the
 * intended time), so a stall is charged to the moment it hit, not to the moment the backlog cleared.
 *
 * @param seconds one point per second of the window, in order, empty seconds included (count 0, NaN latencies)
 */
public record LatencyTimeline(List<Point> seconds) {
    /**
     * @param second start of the bucket in seconds from the start of the measured window, covering
     *               {@code [second, second + 1)}
     */
    public record Point(int second, long count, double p50Ms, double p99Ms, double maxMs) {}

    /** A timeline with the name a plot legend shows for it. */
    public record Named(String name, LatencyTimeline timeline) {}

    public LatencyTimeline {
        seconds = List.copyOf(seconds);
    }

    public Named named(String name) {
        return new Named(name, this);
    }

    /** Builds the timeline from one histogram (microseconds) per second; null entries are empty seconds. */
    public static LatencyTimeline fromHistograms(List<Histogram> perSecondMicros) {
        List<Point> points = new ArrayList<>(perSecondMicros.size());
        for (int s = 0; s < perSecondMicros.size(); s++) {
            Histogram h = perSecondMicros.get(s);
            if (h == null || h.getTotalCount() == 0) {
                points.add(new Point(s, 0, Double.NaN, Double.NaN, Double.NaN));
            } else {
                points.add(new Point(s, h.getTotalCount(), h.getValueAtPercentile(50) / 1000.0,
                        h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0));
            }
        }
        return new LatencyTimeline(points);
    }
}
