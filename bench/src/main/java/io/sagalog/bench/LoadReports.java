package io.sagalog.bench;

/**
 * Calls the listener every {@code every} within each phase and once more at the end of each phase, from the
 * driver thread, between sends.
 */
final class LoadReports {
    private final ProgressListener listener;
    private final LoadRecorder rec;
    private final long warmupEnd;
    private final long measureEnd;
    private final long every;
    private boolean warm;
    private long phaseStart;
    private long phaseEnd;
    private long k = 1;
    private boolean done;

    LoadReports(ProgressListener listener, LoadRecorder rec, long start, long warmupEnd, long measureEnd) {
        this.listener = listener;
        this.rec = rec;
        this.warmupEnd = warmupEnd;
        this.measureEnd = measureEnd;
        this.every = listener.every().toNanos();
        this.done = every <= 0;
        this.warm = warmupEnd > start;
        this.phaseStart = warm ? start : warmupEnd;
        this.phaseEnd = warm ? warmupEnd : measureEnd;
        rec.markInterval(start);
    }

    private long next() {
        return Math.min(phaseStart + k * every, phaseEnd);
    }

    /** Sleeps through and makes the reports due up to {@code until} (inclusive). */
    void runUntil(Ticker ticker, long until) throws InterruptedException {
        while (!done && next() <= until) {
            long at = next();
            ticker.sleepUntil(at);
            LoadDriver.checkInterrupt();
            listener.report(rec.progress(warm ? Progress.WARMUP : Progress.MEASURE, (at - phaseStart) / 1e9,
                    ticker.nanoTime()));
            if (at < phaseEnd) {
                k++;
            } else if (warm) {
                warm = false;
                phaseStart = warmupEnd;
                phaseEnd = measureEnd;
                k = 1;
            } else {
                done = true;
            }
        }
    }
}
