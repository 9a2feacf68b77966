package io.sagalog.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * Puts load on an asynchronous operation and measures it honestly.
 *
 * <p>Why two modes: a closed loop (N clients, each waiting for its answer before asking again) finds the most a
 * system does with N outstanding requests, but it cannot show what users would see, because when the system stalls
 * the clients stop asking, and the requests that would have arrived during the stall are never sent and never
 * measured ("coordinated omission"). An open loop sends at a fixed rate regardless of answers, like independent
 * users do, and measures each latency from the time the request was <em>meant</em> to go out; a stall then shows as
 * the queue of late requests it really causes. Run the closed loop to find capacity, then open loops below it to
 * see latency at a given load.
 *
 * <p>Why one scheduling thread and asynchronous operations: a thread per client blocked on its answer costs a
 * thread per outstanding request, which on a small machine competes with the system under test and caps the load
 * that can be offered. Here one thread (named {@code bench-load-driver}, so CPU accounting files it under load)
 * issues everything, and completions are handled by whatever thread completes the operation's stage. The operation
 * must therefore return quickly; if it blocks, the open loop still charges the delay to latency (that is the point
 * of measuring from the intended time), and the uncorrected histogram shows how much a naive measurement would
 * have hidden.
 *
 * <p>Only operations that start inside the measured window count, so a warmup's slow start and its backlog do not
 * leak into the figures. After the window, the driver stops issuing and waits up to a drain period for the measured
 * operations still outstanding; those that do not finish by then are counted as incomplete and, in the corrected
 * histogram, given the latency they had reached when the driver gave up (a lower bound: leaving them out would
 * flatter the result exactly when the system is worst).
 */
public final class LoadDriver {
    /** How long to wait after the window for measured operations still outstanding, unless told otherwise. */
    public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(10);
    /** Failure messages kept per run: enough to see what went wrong, few enough to print. */
    public static final int FAILURE_SAMPLES = 5;
    private static final long DRAIN_POLL_NANOS = 5_000_000;
    private static final String DRIVER_THREAD = "bench-load-driver";

    private LoadDriver() {
    }

    /**
     * The outcome of one measured window.
     *
     * @param mode               {@code open} or {@code closed}
     * @param issued             operations started in the measured window
     * @param completed          of those, the ones that completed normally
     * @param failed             of those, the ones that completed exceptionally (or threw, or returned null)
     * @param incomplete         of those, the ones still outstanding when the drain period ran out
     * @param measuredSeconds    length of the measured window
     * @param throughputPerSecond completed / measuredSeconds
     * @param corrected          latency in µs from the intended start (open loop) or the actual start (closed
     *                           loop, where the two are the same) to completion; incomplete operations included as
     *                           lower bounds
     * @param uncorrected        latency in µs from the actual send to completion; what a naive client would report
     * @param timeline           corrected latency per second of the window, by start time
     * @param failureSamples     the first few distinct failure messages
     */
    public record Run(String mode, long issued, long completed, long failed, long incomplete, double measuredSeconds,
                      double throughputPerSecond, Histogram corrected, Histogram uncorrected, LatencyTimeline timeline,
                      List<String> failureSamples) {
        public Run {
            failureSamples = List.copyOf(failureSamples);
        }

        /** Corrected latency at a percentile (0..100) in milliseconds; NaN when nothing was recorded. */
        public double correctedMs(double percentile) {
            return ms(corrected, percentile);
        }

        /** Uncorrected latency at a percentile (0..100) in milliseconds; NaN when nothing was recorded. */
        public double uncorrectedMs(double percentile) {
            return ms(uncorrected, percentile);
        }

        private static double ms(Histogram h, double percentile) {
            if (h.getTotalCount() == 0) {
                return Double.NaN;
            }
            return (percentile >= 100 ? h.getMaxValue() : h.getValueAtPercentile(percentile)) / 1000.0;
        }
    }

    /** {@link #openLoop(double, Duration, Duration, Duration, Function, Ticker, ProgressListener)} in real time
     * with the {@link #DEFAULT_DRAIN}. */
    public static Run openLoop(double ratePerSecond, Duration warmup, Duration measure,
                               Function<Long, CompletionStage<?>> op, ProgressListener progress)
            throws InterruptedException {
        return openLoop(ratePerSecond, warmup, measure, DEFAULT_DRAIN, op, Ticker.system(), progress);
    }

    /** {@link #openLoop(double, Duration, Duration, Duration, Function, Ticker, ProgressListener)} with the
     * {@link #DEFAULT_DRAIN}. */
    public static Run openLoop(double ratePerSecond, Duration warmup, Duration measure,
                               Function<Long, CompletionStage<?>> op, Ticker ticker, ProgressListener progress)
            throws InterruptedException {
        return openLoop(ratePerSecond, warmup, measure, DEFAULT_DRAIN, op, ticker, progress);
    }

    /**
     * Calls {@code op(i)} at the intended times {@code start + i / rate} for i = 0, 1, ..., through warmup and the
     * measured window, never waiting for answers. The schedule is absolute: if the thread falls behind (a slow
     * {@code op}, a pause), it sends the overdue operations at once, and their latency counts from when they were
     * due.
     *
     * @param drain how long after the window to wait for measured operations still outstanding; zero counts
     *              whatever is outstanding at the end of the window as incomplete
     */
    public static Run openLoop(double ratePerSecond, Duration warmup, Duration measure, Duration drain,
                               Function<Long, CompletionStage<?>> op, Ticker ticker, ProgressListener progress)
            throws InterruptedException {
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("rate must be positive and finite: " + ratePerSecond);
        }
        checkWindow(warmup, measure, drain);
        return onDriverThread(() -> {
            long start = ticker.nanoTime();
            long warmupEnd = start + warmup.toNanos();
            long measureEnd = warmupEnd + measure.toNanos();
            LoadRecorder rec = new LoadRecorder("open", warmupEnd, measureEnd);
            LoadReports reports = new LoadReports(progress, rec, start, warmupEnd, measureEnd);
            for (long i = 0; ; i++) {
                long intended = intendedStart(start, ratePerSecond, i);
                if (intended >= measureEnd) {
                    break;
                }
                reports.runUntil(ticker, intended);
                ticker.sleepUntil(intended);
                checkInterrupt();
                issue(rec, op, ticker, i, intended, ticker.nanoTime());
            }
            reports.runUntil(ticker, measureEnd);
            ticker.sleepUntil(measureEnd);
            return drain(rec, ticker, measureEnd + drain.toNanos());
        });
    }

    /** {@link #closedLoop(int, Duration, Duration, Duration, Function, Ticker, ProgressListener)} in real time with
     * the {@link #DEFAULT_DRAIN}. */
    public static Run closedLoop(int concurrency, Duration warmup, Duration measure,
                                 Function<Long, CompletionStage<?>> op, ProgressListener progress)
            throws InterruptedException {
        return closedLoop(concurrency, warmup, measure, DEFAULT_DRAIN, op, Ticker.system(), progress);
    }

    /** {@link #closedLoop(int, Duration, Duration, Duration, Function, Ticker, ProgressListener)} with the
     * {@link #DEFAULT_DRAIN}. */
    public static Run closedLoop(int concurrency, Duration warmup, Duration measure,
                                 Function<Long, CompletionStage<?>> op, Ticker ticker, ProgressListener progress)
            throws InterruptedException {
        return closedLoop(concurrency, warmup, measure, DEFAULT_DRAIN, op, ticker, progress);
    }

    /**
     * Runs {@code concurrency} chains, each calling {@code op} again as soon as its previous call completes (in the
     * completing thread, without blocking any). So exactly {@code concurrency} operations are outstanding at all
     * times until the window ends. Corrected and uncorrected latency are the same here: a closed loop has no
     * intended schedule to fall behind of. An operation that completes synchronously is followed by the next in a
     * loop, not by recursion, so such chains cannot overflow the stack; they do keep the thread that started them.
     */
    public static Run closedLoop(int concurrency, Duration warmup, Duration measure, Duration drain,
                                 Function<Long, CompletionStage<?>> op, Ticker ticker, ProgressListener progress)
            throws InterruptedException {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1: " + concurrency);
        }
        checkWindow(warmup, measure, drain);
        return onDriverThread(() -> {
            long start = ticker.nanoTime();
            long warmupEnd = start + warmup.toNanos();
            long measureEnd = warmupEnd + measure.toNanos();
            LoadRecorder rec = new LoadRecorder("closed", warmupEnd, measureEnd);
            LoadReports reports = new LoadReports(progress, rec, start, warmupEnd, measureEnd);
            ClosedLoop loop = new ClosedLoop(rec, op, ticker, measureEnd);
            try {
                for (int c = 0; c < concurrency; c++) {
                    loop.chain();
                }
                reports.runUntil(ticker, measureEnd);
                ticker.sleepUntil(measureEnd);
                checkInterrupt();
            } finally {
                loop.stopped = true;
            }
            return drain(rec, ticker, measureEnd + drain.toNanos());
        });
    }

    /** The i-th intended start: computed from i, not by adding intervals, so rounding never accumulates. */
    static long intendedStart(long startNanos, double ratePerSecond, long i) {
        return startNanos + Math.round(i * (1e9 / ratePerSecond));
    }

    private static void checkWindow(Duration warmup, Duration measure, Duration drain) {
        if (warmup.isNegative() || measure.isNegative() || measure.isZero() || drain.isNegative()) {
            throw new IllegalArgumentException("warmup and drain must not be negative and measure must be positive");
        }
    }

    static void checkInterrupt() throws InterruptedException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("load driver interrupted");
        }
    }

    private static Run drain(LoadRecorder rec, Ticker ticker, long drainEnd) throws InterruptedException {
        long now;
        while (rec.outstandingMeasured() > 0 && (now = ticker.nanoTime()) < drainEnd) {
            ticker.sleepUntil(Math.min(drainEnd, now + DRAIN_POLL_NANOS));
            checkInterrupt();
        }
        return rec.close(ticker.nanoTime());
    }

    /** Starts one operation and arranges for its completion to be recorded; never throws. */
    static CompletionStage<?> issue(LoadRecorder rec, Function<Long, CompletionStage<?>> op, Ticker ticker,
                                            long seq, long intended, long sent) {
        LoadRecorder.Op o = rec.issue(intended, sent);
        CompletionStage<?> stage;
        try {
            stage = op.apply(seq);
            if (stage == null) {
                throw new NullPointerException("operation " + seq + " returned no stage");
            }
        } catch (Throwable t) {
            rec.finish(o, ticker.nanoTime(), t);
            return null;
        }
        return stage.whenComplete((v, e) -> rec.finish(o, ticker.nanoTime(), e));
    }

    private static Run onDriverThread(Callable<Run> body) throws InterruptedException {
        FutureTask<Run> task = new FutureTask<>(body);
        Thread t = new Thread(task, DRIVER_THREAD);
        t.setDaemon(true);
        t.start();
        try {
            return task.get();
        } catch (InterruptedException e) {
            t.interrupt();
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InterruptedException ie) {
                throw ie;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }
}
