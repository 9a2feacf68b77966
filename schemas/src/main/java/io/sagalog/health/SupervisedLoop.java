package io.sagalog.health;

import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a background loop on its own thread and keeps it running. The loop is a {@link Session}: resources (e.g. a
 * Kafka consumer) opened by a factory, and a {@link Session#step step} called over and over. What goes wrong:
 * <ul>
 *   <li>a <b>transient</b> error (Kafka's {@link RetriableException}s, among them timeouts and a broker that cannot
 *       be reached): the component is {@code DEGRADED}, the loop waits a back-off and steps again with the same
 *       resources;</li>
 *   <li>anything else, Errors included (a bug, a commit that failed, a consumer in a bad state): logged at ERROR with
 *       the cause, the component is {@code RESTARTING} and counts a restart, the session is closed, and after a
 *       back-off a fresh one is opened (a client that threw may be unusable);</li>
 *   <li>a {@link VirtualMachineError} (out of memory, say): the component is {@code DOWN} and the thread ends; the
 *       process is in no state to go on, and health shows it.</li>
 * </ul>
 * The back-off doubles from {@link Policy#initialBackoff} to {@link Policy#maxBackoff} and starts over once the loop
 * has run {@link Policy#healthyAfter} without an error.
 */
public final class SupervisedLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SupervisedLoop.class);

    /** One incarnation of a loop: its resources, and one round of its work. Used by the loop's thread only. */
    public interface Session extends AutoCloseable {
        /** One round of work, e.g. one poll and what it returned. Returns to be called again. */
        void step() throws Exception;

        /** Called from another thread to end a blocking {@link #step} when closing (e.g. {@code consumer.wakeup()}). */
        default void wakeup() {}

        /** Whether an error passes by itself, so the same resources are used again after a back-off. */
        default boolean isTransient(Throwable error) {
            return SupervisedLoop.isTransient(error);
        }

        /** Releases the resources; called on the loop's thread, also after a failure. Must not throw. */
        @Override
        void close();

        /** A session that polls one Kafka consumer: each step is {@code step}; closing closes the consumer. */
        static Session polling(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer, Step step) {
            return new Session() {
                @Override
                public void step() throws Exception {
                    step.run();
                }

                @Override
                public void wakeup() {
                    consumer.wakeup();
                }

                @Override
                public void close() {
                    consumer.close(Duration.ofSeconds(2));
                }
            };
        }
    }

    /** One round of a {@link Session#polling} session. */
    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    /** Opens a fresh session: at start, and after each unexpected failure. */
    @FunctionalInterface
    public interface SessionFactory {
        Session open() throws Exception;
    }

    public record Policy(Duration initialBackoff, Duration maxBackoff, Duration healthyAfter) {
        public static final Policy DEFAULT = new Policy(Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    private final String component;
    private final ComponentHealth health;
    private final SessionFactory factory;
    private final Policy policy;
    private final Backoff backoff;
    private final Thread thread;
    private final Object sleeper = new Object();
    private volatile boolean running = true;
    private volatile Session current;

    private SupervisedLoop(String component, ComponentHealth health, SessionFactory factory, Policy policy, boolean daemon) {
        this.component = Objects.requireNonNull(component);
        this.health = Objects.requireNonNull(health);
        this.factory = Objects.requireNonNull(factory);
        this.policy = policy;
        this.backoff = new Backoff(policy.initialBackoff(), policy.maxBackoff());
        this.thread = new Thread(this::run, "sagalog-" + component);
        this.thread.setDaemon(daemon);
        health.register(component);
    }

    /** Starts the loop on a new daemon thread named {@code sagalog-<component>}. */
    public static SupervisedLoop start(String component, ComponentHealth health, SessionFactory factory) {
        return start(component, health, factory, Policy.DEFAULT, true);
    }

    /** @param daemon false keeps the JVM alive while the loop runs */
    public static SupervisedLoop start(String component, ComponentHealth health, SessionFactory factory, Policy policy,
                                       boolean daemon) {
        SupervisedLoop loop = new SupervisedLoop(component, health, factory, policy, daemon);
        loop.thread.start();
        return loop;
    }

    public String component() {
        return component;
    }

    public ComponentHealth.Status status() {
        return health.status(component);
    }

    /** Whether the loop's thread is on its way out or gone (closed, or a VirtualMachineError). */
    public boolean stopped() {
        return !running || !thread.isAlive();
    }

    private void run() {
        try {
            while (running) {
                Session session;
                try {
                    session = factory.open();
                } catch (Throwable t) {
                    // Nothing to close; a factory that fails for a transient reason (broker down) is tried again.
                    failed(t, SupervisedLoop.isTransient(t));
                    continue;
                }
                current = session;
                try {
                    runSession(session);
                } finally {
                    current = null;
                    closeQuietly(session);
                }
            }
        } catch (VirtualMachineError e) {
            health.down(component, e);
            log.error("{} stopped for good: {}", component, e.toString(), e);
            throw e;
        } finally {
            if (!running) {
                health.down(component, null);
            }
        }
    }

    /** Steps until closed or an unexpected error; transient errors back off in place. */
    private void runSession(Session session) {
        boolean up = false;
        long healthySince = System.nanoTime();
        while (running) {
            try {
                session.step();
            } catch (Throwable t) {
                if (t instanceof VirtualMachineError e) {
                    throw e;
                }
                if (!running) {
                    return; // closing: the wakeup (or interrupt) ended the step
                }
                if (t instanceof InterruptedException) {
                    Thread.interrupted();
                }
                boolean transientError = session.isTransient(t);
                failed(t, transientError);
                if (!transientError) {
                    return; // close this session, open a fresh one
                }
                up = false;
                healthySince = System.nanoTime();
                continue;
            }
            if (!up) {
                health.up(component);
                up = true;
            }
            if (System.nanoTime() - healthySince >= policy.healthyAfter().toNanos()) {
                backoff.reset();
                healthySince = System.nanoTime();
            }
        }
    }

    private void failed(Throwable t, boolean transientError) {
        if (t instanceof VirtualMachineError e) {
            throw e;
        }
        if (!running) {
            return;
        }
        Duration delay = backoff.next();
        if (transientError) {
            boolean first = health.status(component).state() != ComponentHealth.State.DEGRADED;
            health.degraded(component, t);
            if (first) {
                log.warn("{}: {}; retrying, first in {} ms", component, t.toString(), delay.toMillis());
            } else {
                log.debug("{}: {}; retrying in {} ms", component, t.toString(), delay.toMillis());
            }
        } else {
            health.restarting(component, t);
            log.error("{} failed and restarts in {} ms (restart {}): {}", component, delay.toMillis(),
                    health.restarts(component), t.toString(), t);
        }
        pause(delay);
    }

    private void pause(Duration delay) {
        long until = System.nanoTime() + delay.toNanos();
        synchronized (sleeper) {
            long left;
            while (running && (left = until - System.nanoTime()) > 0) {
                try {
                    sleeper.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    if (!running) {
                        return;
                    }
                }
            }
        }
    }

    private void closeQuietly(Session session) {
        try {
            session.close();
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError e) {
                throw e;
            }
            log.warn("{}: closing its resources failed: {}", component, t.toString());
        }
    }

    /** Whether the error (or one of its causes) is one that passes by itself, such as a broker that is away for now. */
    public static boolean isTransient(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RetriableException || t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** Stops the loop: wakes a blocking step, lets the session close, and waits up to {@code timeout} for the thread. */
    public void close(Duration timeout) {
        running = false;
        Session s = current;
        if (s != null) {
            try {
                s.wakeup();
            } catch (RuntimeException e) {
                log.debug("{}: wakeup failed: {}", component, e.toString());
            }
        }
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(timeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        health.down(component, null);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(15));
    }
}
