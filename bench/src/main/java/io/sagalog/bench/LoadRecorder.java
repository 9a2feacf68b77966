package io.sagalog.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.HdrHistogram.Histogram;

/** Counts and latencies of one run; everything under its monitor, as completions arrive from any thread. */
final class LoadRecorder {
    /** One issued operation. Identity matters: the outstanding set holds these. */
    static final class Op {
        final long intended;
        final long sent;
        final boolean measured;

        Op(long intended, long sent, boolean measured) {
            this.intended = intended;
            this.sent = sent;
            this.measured = measured;
        }
    }

    private final String mode;
    private final long warmupEnd;
    private final long measureEnd;
    private final Histogram corrected = new Histogram(3);
    private final Histogram uncorrected = new Histogram(3);
    private final Histogram interval = new Histogram(3);
    private final Histogram[] perSecond;
    private final Set<Op> outstanding = new HashSet<>();
    private final Set<String> failureSamples = new LinkedHashSet<>();
    private long issued;
    private long completed;
    private long failed;
    private long inFlight;
    private long completedAll;
    private long intervalStartCount;
    private long intervalStartNanos;
    private boolean closed;

    LoadRecorder(String mode, long warmupEnd, long measureEnd) {
        this.mode = mode;
        this.warmupEnd = warmupEnd;
        this.measureEnd = measureEnd;
        this.perSecond = new Histogram[(int) Math.max(1, (measureEnd - warmupEnd + 999_999_999) / 1_000_000_000)];
    }

    synchronized Op issue(long intended, long sent) {
        boolean measured = intended >= warmupEnd && intended < measureEnd;
        Op op = new Op(intended, sent, measured);
        inFlight++;
        if (measured) {
            issued++;
            outstanding.add(op);
        }
        return op;
    }

    synchronized void finish(Op op, long now, Throwable error) {
        if (closed) {
            return;
        }
        inFlight--;
        boolean counts = op.measured && outstanding.remove(op);
        if (error != null) {
            if (counts) {
                failed++;
                if (failureSamples.size() < LoadDriver.FAILURE_SAMPLES) {
                    failureSamples.add(describe(error));
                }
            }
            return;
        }
        long correctedMicros = Math.max(0, now - op.intended) / 1000;
        completedAll++;
        interval.recordValue(correctedMicros);
        if (counts) {
            completed++;
            corrected.recordValue(correctedMicros);
            uncorrected.recordValue(Math.max(0, now - op.sent) / 1000);
            bucket(op.intended).recordValue(correctedMicros);
        }
    }

    synchronized long outstandingMeasured() {
        return outstanding.size();
    }

    synchronized void markInterval(long now) {
        intervalStartNanos = now;
        intervalStartCount = completedAll;
    }

    synchronized Progress progress(String phase, double elapsedSeconds, long now) {
        double seconds = (now - intervalStartNanos) / 1e9;
        double rate = seconds > 0 ? (completedAll - intervalStartCount) / seconds : 0;
        double p99 = interval.getTotalCount() == 0 ? Double.NaN : interval.getValueAtPercentile(99) / 1000.0;
        interval.reset();
        intervalStartNanos = now;
        intervalStartCount = completedAll;
        return new Progress(phase, elapsedSeconds, completed, failed, inFlight, rate, p99);
    }

    synchronized LoadDriver.Run close(long now) {
        closed = true;
        long incomplete = outstanding.size();
        for (Op op : outstanding) {
            long atLeast = Math.max(0, now - op.intended) / 1000;
            corrected.recordValue(atLeast);
            bucket(op.intended).recordValue(atLeast);
        }
        outstanding.clear();
        double seconds = (measureEnd - warmupEnd) / 1e9;
        List<Histogram> buckets = new ArrayList<>(perSecond.length);
        for (Histogram h : perSecond) {
            buckets.add(h);
        }
        return new LoadDriver.Run(mode, issued, completed, failed, incomplete, seconds, completed / seconds,
                corrected.copy(), uncorrected.copy(), LatencyTimeline.fromHistograms(buckets),
                new ArrayList<>(failureSamples));
    }

    private Histogram bucket(long intended) {
        int i = (int) Math.min(perSecond.length - 1, Math.max(0, (intended - warmupEnd) / 1_000_000_000));
        if (perSecond[i] == null) {
            perSecond[i] = new Histogram(3);
        }
        return perSecond[i];
    }

    private static String describe(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
