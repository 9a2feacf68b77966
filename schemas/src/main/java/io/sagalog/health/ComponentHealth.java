package io.sagalog.health;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The health of a process's background components (the registry reader, the journal follower, the HTTP dispatcher,
 * a participant worker), by name: each one's state, its last error and since when, and how often it was restarted.
 * Thread-safe; {@link SupervisedLoop} writes it, health endpoints and metrics read it.
 */
public final class ComponentHealth {
    /** What a component is doing. Only {@link #UP} and {@link #DEGRADED} count as ready. */
    public enum State {
        /** Created, not yet through its first round of work. */
        STARTING,
        /** Working. */
        UP,
        /** Working, but its last round failed with an error that passes by itself (e.g. the broker is unreachable); it retries. */
        DEGRADED,
        /** Failed unexpectedly; it restarts with fresh resources after a back-off. */
        RESTARTING,
        /** Stopped: closed, or failed in a way it cannot restart from. */
        DOWN;

        public boolean ready() {
            return this == UP || this == DEGRADED;
        }
    }

    /** One component's health. {@code lastError} is null when it never failed. */
    public record Status(State state, String lastError, Instant since, long restarts) {
        public boolean ready() {
            return state.ready();
        }

        /** For health bodies: the state, with the last error when not UP. */
        public String describe() {
            return state == State.UP || lastError == null ? state.name() : state.name() + ": " + lastError;
        }
    }

    private final Clock clock;
    private final Map<String, Entry> components = new ConcurrentHashMap<>();
    private final java.util.List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    private static final class Entry {
        volatile Status status;
        final AtomicLong restarts = new AtomicLong();

        Entry(Status status) {
            this.status = status;
        }
    }

    public ComponentHealth() {
        this(Clock.systemUTC());
    }

    public ComponentHealth(Clock clock) {
        this.clock = clock;
    }

    /**
     * Calls {@code listener} with the name of every component registered so far and of each registered later
     * (e.g. to give each one a metric).
     */
    public void onComponent(Consumer<String> listener) {
        synchronized (listeners) {
            listeners.add(listener);
            components.keySet().forEach(listener);
        }
    }

    /** Adds a component in state STARTING (no-op when it exists). */
    public void register(String component) {
        synchronized (listeners) {
            if (components.putIfAbsent(component, new Entry(new Status(State.STARTING, null, clock.instant(), 0))) == null) {
                listeners.forEach(l -> l.accept(component));
            }
        }
    }

    public void up(String component) {
        set(component, State.UP, null, false);
    }

    public void degraded(String component, Throwable cause) {
        set(component, State.DEGRADED, cause, false);
    }

    /** Failed unexpectedly and restarts: counts one restart. */
    public void restarting(String component, Throwable cause) {
        set(component, State.RESTARTING, cause, true);
    }

    public void down(String component, Throwable cause) {
        set(component, State.DOWN, cause, false);
    }

    private void set(String component, State state, Throwable cause, boolean restart) {
        register(component);
        Entry e = components.get(component);
        synchronized (e) {
            Status before = e.status;
            long restarts = restart ? e.restarts.incrementAndGet() : e.restarts.get();
            String error = cause == null ? (state == State.UP ? before.lastError() : null) : describe(cause);
            Instant since = before.state() == state && !restart ? before.since() : clock.instant();
            e.status = new Status(state, error, since, restarts);
        }
    }

    /** The component's health; DOWN with "not registered" for a name nobody registered. */
    public Status status(String component) {
        Entry e = components.get(component);
        return e == null ? new Status(State.DOWN, "not registered", clock.instant(), 0) : e.status;
    }

    public long restarts(String component) {
        Entry e = components.get(component);
        return e == null ? 0 : e.restarts.get();
    }

    /** Every component's health, by name. */
    public Map<String, Status> snapshot() {
        Map<String, Status> out = new TreeMap<>();
        components.forEach((name, e) -> out.put(name, e.status));
        return out;
    }

    /** The exception's class and message, and its root cause's when different, in at most 500 characters. */
    static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        if (root != t) {
            text += " (cause " + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage()) + ")";
        }
        return text.length() <= 500 ? text : text.substring(0, 497) + "...";
    }
}
