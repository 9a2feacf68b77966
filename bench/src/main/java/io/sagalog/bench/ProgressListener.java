package io.sagalog.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Receives a {@link Progress} every {@link #every()} while a load runs. The driver calls it from its own scheduling
 * thread between sends, so a listener must be quick and must not block: a slow listener delays sends (the open loop
 * still charges that delay to latency, so it would show up, but it would be the listener's cost, not the system's).
 */
public interface ProgressListener {
    /** How often to report; zero or negative means never. */
    Duration every();

    void report(Progress progress);

    /** Reports nothing. */
    static ProgressListener none() {
        return new ProgressListener() {
            @Override
            public Duration every() {
                return Duration.ZERO;
            }

            @Override
            public void report(Progress progress) {
            }
        };
    }

    /**
     * One line per report, e.g. {@code at_least_once: measure  10 s  completed 12034  1203/s  p99 18.2 ms  in flight 16}.
     */
    static ProgressListener printingTo(PrintStream out, String label, Duration every) {
        return new ProgressListener() {
            @Override
            public Duration every() {
                return every;
            }

            @Override
            public void report(Progress p) {
                out.println(format(label, p));
            }
        };
    }

    /** The line {@link #printingTo} prints. */
    static String format(String label, Progress p) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s: %-7s %4.0f s  completed %8d  %8.0f/s",
                label, p.phase(), p.elapsedSeconds(), p.completed(), p.ratePerSecond()));
        if (!Double.isNaN(p.p99Ms())) {
            line.append(String.format(Locale.ROOT, "  p99 %8.1f ms", p.p99Ms()));
        }
        line.append(String.format(Locale.ROOT, "  in flight %d", p.inFlight()));
        if (p.failed() > 0) {
            line.append(String.format(Locale.ROOT, "  failed %d", p.failed()));
        }
        return line.toString();
    }
}
