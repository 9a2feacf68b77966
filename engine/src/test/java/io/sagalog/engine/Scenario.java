package io.sagalog.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Drives the decider like the engine would, one input at a time, with a clock the test controls. */
final class Scenario {
    static final String TX = "00000000-0000-0000-0000-000000000001";

    Decider decider;
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    TxState state;
    final List<JournalEntry> journal = new ArrayList<>();
    final List<StepCommand> commands = new ArrayList<>();
    Decision last;

    Scenario(Definition... definitions) {
        this.decider = new Decider(DefinitionCatalog.of(List.of(definitions)));
    }

    static Definition definition(String json) {
        try {
            return DefinitionParser.parse(json, 1);
        } catch (InvalidDefinitionException e) {
            throw new AssertionError(e.problems().toString(), e);
        }
    }

    /** flights, hotels, payments: all compensatable, 3 attempts each. */
    static Definition tripBooking() {
        return definition("""
                {"name": "trip-booking", "steps": [
                  {"name": "flights", "participant": "flights", "action": "reserve", "compensation": "cancel"},
                  {"name": "hotels", "participant": "hotels", "action": "reserve", "compensation": "cancel"},
                  {"name": "payments", "participant": "payments", "action": "charge", "compensation": "refund"}
                ]}""");
    }

    /** Step requests may carry at most this many bytes of input and context from now on. */
    Scenario maxStepRequestBytes(long bytes) {
        decider = decider.withMaxStepRequestBytes(bytes);
        return this;
    }

    /** Deciding the next input failed inside the engine: what the processor stores instead. */
    Scenario engineError(Input input, RuntimeException error) {
        last = decider.engineError(state, input, now, error);
        if (last.state() != null) {
            state = last.state();
        }
        journal.addAll(last.journal());
        commands.addAll(last.commands());
        return this;
    }

    /** reserve (compensatable) -> charge (pivot) -> notify (retriable), 2 attempts each, deadline 1 minute. */
    static Definition withPivot() {
        return definition("""
                {"name": "trip-booking", "deadline": "1m", "steps": [
                  {"name": "reserve", "participant": "hotels", "action": "reserve", "compensation": "cancel",
                   "retry": {"maxAttempts": 2}},
                  {"name": "charge", "participant": "payments", "action": "charge", "kind": "pivot", "timeout": "5s",
                   "retry": {"maxAttempts": 2}},
                  {"name": "notify", "participant": "mail", "action": "send", "kind": "retriable",
                   "retry": {"maxAttempts": 2}}
                ]}""");
    }

    Scenario apply(Input input) {
        last = decider.decide(state, input, now);
        if (last.state() != null) {
            state = last.state();
        }
        journal.addAll(last.journal());
        commands.addAll(last.commands());
        return this;
    }

    Scenario request() {
        return apply(new Input.TxRequested(TX, "trip-booking", "{\"who\":\"ada\"}", null));
    }

    Scenario result(String step, int attempt, Phase phase, Outcome outcome) {
        String output = outcome == Outcome.SUCCEEDED && phase == Phase.ACTION ? "{\"ref\":\"" + step + "-" + attempt + "\"}" : null;
        String error = outcome == Outcome.SUCCEEDED ? null : step + " said no";
        return apply(new Input.StepResult(TX, step, attempt, phase, outcome, output, error));
    }

    Scenario succeed(String step) {
        return result(step, state.step(state.indexOf(step)).attempt(), Phase.ACTION, Outcome.SUCCEEDED);
    }

    Scenario fail(String step, Outcome outcome) {
        return result(step, state.step(state.indexOf(step)).attempt(), Phase.ACTION, outcome);
    }

    Scenario compensated(String step) {
        return result(step, state.step(state.indexOf(step)).compensationAttempt(), Phase.COMPENSATION, Outcome.SUCCEEDED);
    }

    Scenario compensationFails(String step) {
        return result(step, state.step(state.indexOf(step)).compensationAttempt(), Phase.COMPENSATION,
                Outcome.FAILED_TRANSIENT);
    }

    Scenario compensationRejected(String step) {
        return result(step, state.step(state.indexOf(step)).compensationAttempt(), Phase.COMPENSATION,
                Outcome.FAILED_PERMANENT);
    }

    Scenario after(Duration d) {
        now = now.plus(d);
        return this;
    }

    /** Moves the clock to the earliest active timer and fires it, as the engine's punctuator would. */
    Scenario fireNext() {
        Timer next = state.timers().stream().min(java.util.Comparator.comparing(Timer::due))
                .orElseThrow(() -> new AssertionError("no active timer in " + state));
        if (next.due().isAfter(now)) {
            now = next.due();
        }
        return apply(new Input.TimerFired(TX, next));
    }

    /** Fires the active timer of the given kind (moving the clock to its due time). */
    Scenario fire(Timer.Kind kind) {
        Timer t = state.timers().stream().filter(x -> x.kind() == kind).findFirst()
                .orElseThrow(() -> new AssertionError("no active " + kind + " timer in " + state.timers()));
        if (t.due().isAfter(now)) {
            now = t.due();
        }
        return apply(new Input.TimerFired(TX, t));
    }

    /** The rules of every RecoveryDecided so far, in order. */
    List<String> rules() {
        return journal.stream().map(JournalEntry::event).filter(JournalEvent.RecoveryDecided.class::isInstance)
                .map(e -> ((JournalEvent.RecoveryDecided) e).rule()).toList();
    }

    /** "participant.handler" of every command so far, in order. */
    List<String> dispatched() {
        return commands.stream().map(c -> c.participant() + "." + c.handler()).toList();
    }

    List<String> eventTypes() {
        return journal.stream().map(e -> e.event().type()).toList();
    }

    StepCommand lastCommand() {
        return commands.get(commands.size() - 1);
    }
}
