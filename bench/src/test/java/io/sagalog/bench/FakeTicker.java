package io.sagalog.bench;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;

/**
 * Virtual time for {@link LoadDriver} tests: {@code sleepUntil} jumps the clock forward, running the events
 * (typically operation completions) due on the way, in time order, on the calling thread. Everything is then
 * deterministic, however busy the machine.
 */
final class FakeTicker implements Ticker {
    private record Event(long at, long order, Runnable action) {}

    private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> a.at != b.at
            ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    private long now;
    private long order;

    FakeTicker(long startNanos) {
        this.now = startNanos;
    }

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public void sleepUntil(long nanos) {
        while (true) {
            Event next;
            synchronized (this) {
                next = events.peek();
                if (next == null || next.at > nanos) {
                    now = Math.max(now, nanos);
                    return;
                }
                events.poll();
                now = Math.max(now, next.at);
            }
            next.action.run();
        }
    }

    /** The calling thread is busy (or blocked) for this long; events due meanwhile still happen. */
    void advance(Duration d) {
        sleepUntil(nanoTime() + d.toNanos());
    }

    synchronized void at(long nanos, Runnable action) {
        events.add(new Event(nanos, order++, action));
    }

    /** A stage completed normally {@code d} from now. */
    CompletableFuture<Void> after(Duration d) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        at(nanoTime() + d.toNanos(), () -> f.complete(null));
        return f;
    }

    /** A stage failed with {@code error} {@code d} from now. */
    CompletableFuture<Void> failAfter(Duration d, Throwable error) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        at(nanoTime() + d.toNanos(), () -> f.completeExceptionally(error));
        return f;
    }
}
