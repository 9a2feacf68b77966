package io.sagalog.bench;

/**
 * What a running measurement has done so far, handed to a {@link ProgressListener}. A long run that prints nothing
 * cannot be told apart from a hung one, and the current p99 shows a stall while it happens rather than after.
 *
 * @param phase          {@code warmup} or {@code measure}
 * @param elapsedSeconds time since the phase began
 * @param completed      successful operations counted so far (measured ones only; 0 during warmup)
 * @param failed         failed operations counted so far (measured ones only)
 * @param inFlight       operations issued and not yet finished, warmup ones included
 * @param ratePerSecond  completions per second since the previous report, warmup ones included
 * @param p99Ms          p99 latency of the completions since the previous report, NaN when there were none or
 *                       the source does not measure latency
 */
public record Progress(String phase, double elapsedSeconds, long completed, long failed, long inFlight,
                       double ratePerSecond, double p99Ms) {
    public static final String WARMUP = "warmup";
    public static final String MEASURE = "measure";
}
