package io.sagalog.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.health.ComponentHealth.State;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class SupervisedLoopTest {
    private static final SupervisedLoop.Policy FAST =
            new SupervisedLoop.Policy(Duration.ofMillis(10), Duration.ofMillis(80), Duration.ofSeconds(30));

    /** A session that runs the given step and records that it was closed. */
    private static final class FakeSession implements SupervisedLoop.Session {
        final int number;
        final AtomicInteger steps = new AtomicInteger();
        volatile boolean closed;
        private final StepBody body;

        FakeSession(int number, StepBody body) {
            this.number = number;
            this.body = body;
        }

        @Override
        public void step() throws Exception {
            body.step(number, steps.incrementAndGet());
            // A loop's step waits for work (a poll); this one yields a moment so the loop does not spin.
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @FunctionalInterface
    private interface StepBody {
        void step(int session, int step) throws Exception;
    }

    private static final class Sessions implements SupervisedLoop.SessionFactory {
        final List<FakeSession> opened = new CopyOnWriteArrayList<>();
        private final StepBody body;

        Sessions(StepBody body) {
            this.body = body;
        }

        @Override
        public SupervisedLoop.Session open() {
            FakeSession s = new FakeSession(opened.size() + 1, body);
            opened.add(s);
            return s;
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                // The loops under test throw on purpose (an OutOfMemoryError among them): not this test's failure.
                .dontCatchUncaughtExceptions().until(condition::getAsBoolean);
    }

    @Test
    void shouldRestartWithAFreshSessionAfterAnUnexpectedException() throws Exception {
        ComponentHealth health = new ComponentHealth();
        Sessions sessions = new Sessions((session, step) -> {
            if (session == 1 && step == 3) {
                throw new IllegalStateException("commit failed");
            }
        });
        try (SupervisedLoop loop = SupervisedLoop.start("reader", health, sessions, FAST, true)) {
            await("a second session stepping", () -> sessions.opened.size() == 2 && sessions.opened.get(1).steps.get() > 2);
            assertThat(sessions.opened.get(0).closed).as("the failed session's resources are released").isTrue();
            assertThat(health.restarts("reader")).isEqualTo(1);
            ComponentHealth.Status status = loop.status();
            assertThat(status.state()).isEqualTo(State.UP);
            assertThat(status.lastError()).contains("IllegalStateException: commit failed");
        }
    }

    @Test
    void shouldRestartAfterAnErrorThatIsNotAVirtualMachineError() throws Exception {
        ComponentHealth health = new ComponentHealth();
        Sessions sessions = new Sessions((session, step) -> {
            if (session == 1) {
                throw new NoClassDefFoundError("some/Handler");
            }
        });
        try (SupervisedLoop ignored = SupervisedLoop.start("worker", health, sessions, FAST, true)) {
            await("a second session stepping", () -> sessions.opened.size() == 2 && sessions.opened.get(1).steps.get() > 1);
            assertThat(health.restarts("worker")).isEqualTo(1);
            assertThat(health.status("worker").state()).isEqualTo(State.UP);
        }
    }

    @Test
    void shouldBackOffInPlaceOnTransientErrorsKeepingTheSessionAndCountingNoRestart() throws Exception {
        ComponentHealth health = new ComponentHealth();
        List<State> seen = new CopyOnWriteArrayList<>();
        Sessions sessions = new Sessions((session, step) -> {
            if (step <= 3) {
                throw new TimeoutException("broker unreachable");
            }
        });
        try (SupervisedLoop ignored = SupervisedLoop.start("follower", health, sessions, FAST, true)) {
            await("stepping after the transient errors", () -> {
                seen.add(health.status("follower").state());
                return !sessions.opened.isEmpty() && sessions.opened.get(0).steps.get() > 5;
            });
            assertThat(sessions.opened).hasSize(1);
            assertThat(health.restarts("follower")).isZero();
            assertThat(health.status("follower").state()).isEqualTo(State.UP);
            assertThat(seen).contains(State.DEGRADED);
        }
    }

    @Test
    void shouldKeepTryingAFactoryThatFailsTransiently() throws Exception {
        ComponentHealth health = new ComponentHealth();
        AtomicInteger attempts = new AtomicInteger();
        Sessions sessions = new Sessions((session, step) -> {});
        SupervisedLoop.SessionFactory flaky = () -> {
            if (attempts.incrementAndGet() <= 2) {
                throw new TimeoutException("Timeout expired while fetching topic metadata");
            }
            return sessions.open();
        };
        try (SupervisedLoop ignored = SupervisedLoop.start("journal-follower", health, flaky, FAST, true)) {
            await("the component UP", () -> health.status("journal-follower").state() == State.UP);
            assertThat(attempts.get()).isEqualTo(3);
            assertThat(health.restarts("journal-follower")).isZero();
        }
    }

    @Test
    void shouldShowRestartingWhileItWaitsAndCountEveryRestart() throws Exception {
        ComponentHealth health = new ComponentHealth();
        SupervisedLoop.Policy slow = new SupervisedLoop.Policy(Duration.ofMillis(300), Duration.ofSeconds(1), Duration.ofSeconds(30));
        Sessions sessions = new Sessions((session, step) -> {
            if (session <= 2) {
                throw new IllegalStateException("broken " + session);
            }
        });
        try (SupervisedLoop ignored = SupervisedLoop.start("dispatcher", health, sessions, slow, true)) {
            await("RESTARTING shown", () -> health.status("dispatcher").state() == State.RESTARTING);
            assertThat(health.status("dispatcher").ready()).isFalse();
            assertThat(health.status("dispatcher").describe()).contains("RESTARTING").contains("broken");
            await("UP again", () -> health.status("dispatcher").state() == State.UP);
            assertThat(health.restarts("dispatcher")).isEqualTo(2);
            assertThat(sessions.opened).hasSize(3);
        }
    }

    @Test
    void shouldGoDownAndStopOnAVirtualMachineError() throws Exception {
        ComponentHealth health = new ComponentHealth();
        Sessions sessions = new Sessions((session, step) -> {
            throw new OutOfMemoryError("test");
        });
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {}); // expected; keep the test output clean
        try (SupervisedLoop loop = SupervisedLoop.start("registry", health, sessions, FAST, true)) {
            await("the loop stopped", loop::stopped);
            assertThat(health.status("registry").state()).isEqualTo(State.DOWN);
            assertThat(health.status("registry").lastError()).contains("OutOfMemoryError");
            assertThat(sessions.opened).hasSize(1);
            assertThat(sessions.opened.get(0).closed).isTrue();
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
    }

    @Test
    void shouldCloseTheSessionAndShowDownWhenClosed() throws Exception {
        ComponentHealth health = new ComponentHealth();
        Sessions sessions = new Sessions((session, step) -> {});
        SupervisedLoop loop = SupervisedLoop.start("registry", health, sessions, FAST, true);
        await("UP", () -> health.status("registry").state() == State.UP);
        loop.close();
        assertThat(loop.stopped()).isTrue();
        assertThat(sessions.opened.get(0).closed).isTrue();
        assertThat(health.status("registry").state()).isEqualTo(State.DOWN);
        assertThat(health.restarts("registry")).isZero();
    }

    @Test
    void shouldTellListenersOfEveryComponent() {
        ComponentHealth health = new ComponentHealth();
        health.register("a");
        List<String> names = new CopyOnWriteArrayList<>();
        health.onComponent(names::add);
        health.register("b");
        health.register("b");
        assertThat(names).containsExactly("a", "b");
        assertThat(health.status("nobody").ready()).isFalse();
    }
}
