package io.sagalog.engine;

/** What the engine must do to its {@code deadlines} store for one decision. */
public sealed interface TimerCommand {
    Timer timer();

    record Schedule(Timer timer) implements TimerCommand {}

    record Cancel(Timer timer) implements TimerCommand {}
}
