package io.sagalog.bench;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;

/**
 * Takes the cost figures at the edges of the measured window: Kafka's offsets and log sizes
 * ({@link KafkaFootprint}), per-component CPU ({@link ComponentCpu.Tracker}) and how many transactions settled in
 * between. It runs on its own thread ({@code bench-window-probe}, filed under load), timed from the same start as
 * the load driver, because a footprint snapshot is a handful of Admin round trips that the driver's sends must
 * never wait for.
 *
 * <p>Why the edges and not after the drain: records and bytes per transaction are the writes between the two
 * snapshots divided by the transactions that settled between the same two instants. In a steady state the
 * transactions straddling the start (partly written before it) and those straddling the end (partly written after
 * it) balance out, so the ratio is the steady-state cost per transaction; it is approximate, and it overstates
 * the cost when a backlog grows during the window (an overloaded open loop), since work is then written for more
 * transactions than settle. Dividing the writes up to the end of the drain by the transactions issued in the
 * window would instead charge the warmup's unfinished transactions, and the drain's idle commits, to the window.
 */
final class WindowProbe {
    private static final Duration CPU_SAMPLING = Duration.ofSeconds(1);

    /**
     * @param footprint what was written to Kafka in the window
     * @param settled   transactions that settled (as expected) in the window
     * @param cpu       CPU per component in the window, heap at its end
     */
    record Result(KafkaFootprint.Delta footprint, long settled, ComponentCpu.Usage cpu) {}

    private final Thread thread;
    private final AtomicReference<Result> result = new AtomicReference<>();
    private final AtomicReference<Throwable> error = new AtomicReference<>();

    private WindowProbe(Admin admin, long windowStartNanos, Duration measure, LongSupplier settled,
                        Map<String, String> hints) {
        thread = new Thread(() -> {
            try {
                Ticker ticker = Ticker.system();
                ticker.sleepUntil(windowStartNanos);
                long settledBefore = settled.getAsLong();
                KafkaFootprint.Snapshot before = KafkaFootprint.take(admin);
                ComponentCpu.Tracker cpu = ComponentCpu.Tracker.start(CPU_SAMPLING);
                ticker.sleepUntil(windowStartNanos + measure.toNanos());
                if (Thread.currentThread().isInterrupted()) {
                    cpu.close();
                    return;
                }
                ComponentCpu.Usage usage = cpu.stop(hints);
                long settledAfter = settled.getAsLong();
                KafkaFootprint.Snapshot after = KafkaFootprint.take(admin);
                result.set(new Result(KafkaFootprint.between(before, after), settledAfter - settledBefore, usage));
            } catch (Throwable t) {
                error.set(t);
            }
        }, "bench-window-probe");
        thread.setDaemon(true);
    }

    /**
     * Starts probing a window that begins {@code warmup} from now and lasts {@code measure}: call it right before
     * starting the load driver with the same warmup and window.
     *
     * @param settled transactions settled so far
     * @param hints   thread-name hints for {@link ComponentCpu} (the engine's application id to {@code engine})
     */
    static WindowProbe start(Admin admin, Duration warmup, Duration measure, LongSupplier settled,
                             Map<String, String> hints) {
        WindowProbe probe = new WindowProbe(admin, System.nanoTime() + warmup.toNanos(), measure, settled, hints);
        probe.thread.start();
        return probe;
    }

    /** Waits for the end-of-window figures. */
    Result await() throws InterruptedException {
        thread.join();
        if (error.get() != null) {
            throw new IllegalStateException("could not measure the window's Kafka writes and CPU: " + error.get(),
                    error.get());
        }
        return result.get();
    }

    /** Stops early, e.g. when the run failed; no result. */
    void abandon() {
        thread.interrupt();
    }
}
