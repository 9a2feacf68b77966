package io.sagalog.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * A discrete-event model of the world around the {@link Decider}, for {@link DeciderPropertiesTest}:
 * <ul>
 *   <li>a simulated clock and a queue of messages in flight: step requests to participants (in send order per
 *       participant and transaction, like records of one Kafka partition; a request may wait, never overtake) and
 *       results back to the engine (each with its own delay, so in any order, and sometimes more than once);
 *   <li>participants that follow a fault script and are idempotent by idempotency key like the SDK's
 *       {@code Idempotent}: a success (for actions also a rejection) is recorded once per key and repeated to later
 *       calls; a transient failure records nothing;
 *   <li>a timer store kept by the decisions' timer commands, as in the engine's processor: once the clock reaches a
 *       timer (plus a scripted lateness), it is deleted from the store and fed to the decider;
 *   <li>restarts: after an input, the last few inputs are applied again (at-least-once redelivery).
 * </ul>
 * It records everything (every decision with the state before it, every effect at a participant) and judges
 * nothing: the test checks the trace. Deterministic: the same {@link Plan} always gives the same trace. Once a
 * script runs out the world behaves: participants succeed and answer promptly, timers fire on time, nothing is
 * replayed.
 */
final class SagaSimulation {
    static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");
    /** Far more events than any generated run needs; reaching it means a transaction never ended. */
    static final int MAX_EVENTS = 5_000;
    /** How long after the last event the post-final probes are applied: every timer is due by then. */
    static final Duration PROBE_DELAY = Duration.ofHours(2);

    // ---- what is generated ---------------------------------------------------------------------------------

    /** One step of a generated definition. */
    record StepSpec(StepKind kind, boolean compensation, int timeoutMs, int maxAttempts, int initialBackoffMs,
                    double multiplier, int maxBackoffMs, double jitter) {}

    /** A generated definition; {@code deadlineMs} 0 keeps the parser's default (1h). */
    record SagaSpec(List<StepSpec> steps, int deadlineMs) {
        String json(String name) {
            StringBuilder b = new StringBuilder("{\"name\": \"").append(name).append('"');
            if (deadlineMs > 0) {
                b.append(", \"deadline\": \"").append(deadlineMs).append("ms\"");
            }
            b.append(", \"steps\": [");
            for (int i = 0; i < steps.size(); i++) {
                StepSpec s = steps.get(i);
                b.append(i == 0 ? "" : ", ").append("{\"name\": \"s").append(i).append("\", \"participant\": \"p")
                        .append(i).append("\", \"action\": \"do\"");
                if (s.compensation()) {
                    b.append(", \"compensation\": \"undo\"");
                }
                b.append(", \"kind\": \"").append(s.kind().jsonName()).append('"')
                        .append(", \"timeout\": \"").append(s.timeoutMs()).append("ms\"")
                        .append(String.format(Locale.ROOT, ", \"retry\": {\"maxAttempts\": %d, \"initialBackoff\": "
                                        + "\"%dms\", \"multiplier\": %.2f, \"maxBackoff\": \"%dms\", \"jitter\": %.2f}}",
                                s.maxAttempts(), s.initialBackoffMs(), s.multiplier(), s.maxBackoffMs(), s.jitter()));
            }
            return b.append("]}").toString();
        }
    }

    /** One transaction: its definition, when it is requested, and when (-1: never) the client asks again. */
    record TxPlan(SagaSpec saga, int requestAtMs, int repeatRequestAfterMs) {}

    /** What becomes of one step request. */
    enum Fate {
        /** The participant runs it and answers. */
        ANSWER,
        /** The request never reaches the participant: nothing happens, no answer. */
        REQUEST_LOST,
        /** The participant runs it (the effect may happen) but its answer is lost. */
        ANSWER_LOST
    }

    /**
     * The fault script for one step request.
     *
     * @param outcome what the handler does if it runs and has no recorded outcome for the key
     * @param extraAnswers how many duplicates of the answer are delivered, each {@code duplicateSpacingMs} later
     * @param duplicateRequest the request itself is delivered twice (the copy uses the next reaction of the script)
     */
    record Reaction(Outcome outcome, Fate fate, int requestDelayMs, int answerDelayMs, int extraAnswers,
                    int duplicateSpacingMs, boolean duplicateRequest) {
        static final Reaction BENIGN = new Reaction(Outcome.SUCCEEDED, Fate.ANSWER, 5, 5, 0, 0, false);
    }

    /**
     * Everything that varies in one run.
     *
     * @param reactions consumed one per step request sent, in send order
     * @param timerLatenessMs consumed one per timer when it first becomes active: how late it fires
     * @param replays consumed one per input applied: how many of the inputs applied last (this one included)
     *     are applied again right after it, as after a crash before the offsets were committed
     */
    record Plan(List<TxPlan> txs, List<Reaction> reactions, List<Integer> timerLatenessMs, List<Integer> replays) {}

    // ---- what is recorded ----------------------------------------------------------------------------------

    enum Kind {
        /** An input delivered by the world (request, result, due timer). */
        LIVE,
        /** An input applied again after a simulated restart. */
        REPLAY,
        /** An extra input fed after the simulation ended, to a transaction that already ended. */
        PROBE
    }

    /**
     * One call of the decider.
     *
     * @param timerStore the engine's timer store right after the decision's timer commands were carried out
     */
    record Applied(Kind kind, Input input, Instant at, TxState before, Decision decision, List<Timer> timerStore) {}

    /** Something a participant really did: the first successful run for an idempotency key. */
    record Effect(String txId, String step, Phase phase, String idempotencyKey, Instant at) {}

    /** One simulated transaction and everything that happened to it. */
    static final class Tx {
        final String id;
        final Definition definition;
        TxState state;
        final List<Applied> applied = new ArrayList<>();
        final List<JournalEntry> journal = new ArrayList<>();
        final List<StepCommand> commands = new ArrayList<>();
        /** The engine's durable timer store for this transaction, kept by the decisions' timer commands. */
        final Set<Timer> timerStore = new LinkedHashSet<>();
        final Map<Timer, Instant> fireAt = new HashMap<>();
        /** How many of its step requests a participant read twice (the copy used the next reaction). */
        int redeliveredRequests;

        Tx(String id, Definition definition) {
            this.id = id;
            this.definition = definition;
        }

        TxStatus status() {
            return state == null ? TxStatus.PENDING : state.status();
        }

        boolean ended() {
            return isEnded(status());
        }

        @Override
        public String toString() {
            return id + " " + status() + (state != null && state.reason() != null ? " (" + state.reason() + ")" : "")
                    + (timerStore.isEmpty() ? "" : " with timers " + timerStore);
        }
    }

    static boolean isEnded(TxStatus status) {
        return status == TxStatus.COMPLETED || status == TxStatus.ROLLED_BACK || status == TxStatus.PARKED;
    }

    // ---- the world -----------------------------------------------------------------------------------------

    private sealed interface Delivery permits ToEngine, ToParticipant {
        Instant at();

        long order();
    }

    private record ToEngine(Instant at, long order, Input input) implements Delivery {}

    private record ToParticipant(Instant at, long order, StepCommand command, Reaction reaction)
            implements Delivery {}

    /** What a participant remembers per idempotency key, like {@code Idempotent} over an {@code OutcomeStore}. */
    private record Recorded(Outcome outcome, String output) {}

    private final Decider decider;
    private final Map<String, Tx> txs = new LinkedHashMap<>();
    private final PriorityQueue<Delivery> inFlight =
            new PriorityQueue<>(Comparator.comparing(Delivery::at).thenComparingLong(Delivery::order));
    private final Map<String, Recorded> outcomes = new HashMap<>();
    private final List<Effect> effects = new ArrayList<>();
    private final List<Applied> liveInputs = new ArrayList<>();
    private final Map<String, Instant> lastRequestAt = new HashMap<>();
    private final Script<Reaction> reactions;
    private final Script<Integer> lateness;
    private final Script<Integer> replays;
    private Instant now = EPOCH;
    private long order;
    private int events;
    private boolean hitBound;

    private SagaSimulation(Plan plan) {
        List<Definition> definitions = new ArrayList<>();
        for (int i = 0; i < plan.txs().size(); i++) {
            Definition d = Scenario.definition(plan.txs().get(i).saga().json("saga-" + i));
            definitions.add(d);
            txs.put("tx-" + i, new Tx("tx-" + i, d));
        }
        this.decider = new Decider(DefinitionCatalog.of(definitions));
        this.reactions = new Script<>(plan.reactions(), Reaction.BENIGN);
        this.lateness = new Script<>(plan.timerLatenessMs(), 0);
        this.replays = new Script<>(plan.replays(), 0);
        for (int i = 0; i < plan.txs().size(); i++) {
            TxPlan t = plan.txs().get(i);
            Input request = new Input.TxRequested("tx-" + i, "saga-" + i, "{\"n\":" + i + "}", "request-" + i);
            send(new ToEngine(EPOCH.plusMillis(t.requestAtMs()), order++, request));
            if (t.repeatRequestAfterMs() >= 0) {
                send(new ToEngine(EPOCH.plusMillis(t.requestAtMs() + t.repeatRequestAfterMs()), order++, request));
            }
        }
    }

    /** Runs the plan until nothing more can happen (or the event bound is hit), then probes the ended transactions. */
    static SagaSimulation run(Plan plan) {
        SagaSimulation sim = new SagaSimulation(plan);
        sim.loop();
        if (!sim.hitBound) {
            sim.probeEndedTransactions();
            // A probe can be a late success that reopens a rollback: let the world answer what it sent.
            sim.loop();
        }
        return sim;
    }

    List<Tx> transactions() {
        return List.copyOf(txs.values());
    }

    List<Effect> effects() {
        return List.copyOf(effects);
    }

    /** Whether the run stopped at {@link #MAX_EVENTS} with work left: a transaction that does not end. */
    boolean hitBound() {
        return hitBound;
    }

    private void loop() {
        while (true) {
            Delivery delivery = inFlight.peek();
            Tx timerTx = null;
            Timer timer = null;
            Instant timerAt = null;
            for (Tx tx : txs.values()) {
                for (Timer t : tx.timerStore) {
                    Instant at = tx.fireAt.computeIfAbsent(t, x -> x.due().plusMillis(lateness.next()));
                    if (timerAt == null || at.isBefore(timerAt)) {
                        timerTx = tx;
                        timer = t;
                        timerAt = at;
                    }
                }
            }
            if (delivery == null && timer == null) {
                return; // nothing in flight, no active timer: nothing can happen any more
            }
            if (events >= MAX_EVENTS) {
                hitBound = true;
                return;
            }
            events++;
            if (delivery != null && (timer == null || !delivery.at().isAfter(timerAt))) {
                inFlight.poll();
                advanceTo(delivery.at());
                if (delivery instanceof ToEngine e) {
                    live(e.input());
                } else {
                    participantRuns((ToParticipant) delivery);
                }
            } else {
                advanceTo(timerAt);
                timerTx.timerStore.remove(timer); // like the engine: deleted from the store, then fed to the decider
                live(new Input.TimerFired(timerTx.id, timer));
            }
        }
    }

    private void advanceTo(Instant at) {
        if (at.isAfter(now)) {
            now = at;
        }
    }

    /** An input from the world; after it, maybe a restart that applies the last few inputs again. */
    private void live(Input input) {
        Applied applied = apply(Kind.LIVE, input);
        liveInputs.add(applied);
        int again = Math.min(replays.next(), liveInputs.size());
        for (Applied old : List.copyOf(liveInputs.subList(liveInputs.size() - again, liveInputs.size()))) {
            apply(Kind.REPLAY, old.input());
        }
    }

    private Applied apply(Kind kind, Input input) {
        Tx tx = txs.get(input.txId());
        TxState before = tx.state;
        Decision decision = decider.decide(before, input, now);
        for (TimerCommand t : decision.timers()) {
            if (t instanceof TimerCommand.Schedule) {
                tx.timerStore.add(t.timer());
            } else {
                tx.timerStore.remove(t.timer());
            }
        }
        Applied applied = new Applied(kind, input, now, before, decision, List.copyOf(tx.timerStore));
        tx.applied.add(applied);
        if (decision.state() != null) {
            tx.state = decision.state();
        }
        tx.journal.addAll(decision.journal());
        for (StepCommand command : decision.commands()) {
            tx.commands.add(command);
            sendRequest(command, reactions.next(), now);
        }
        return applied;
    }

    /**
     * Step requests are keyed by transaction id, so a participant reads the requests of one transaction in the
     * order they were sent (one partition): a request may wait, but never overtakes an earlier one.
     */
    private void sendRequest(StepCommand command, Reaction reaction, Instant sentAt) {
        if (reaction.fate() != Fate.REQUEST_LOST) {
            String partition = command.participant() + "/" + command.txId();
            Instant at = sentAt.plusMillis(reaction.requestDelayMs());
            Instant previous = lastRequestAt.get(partition);
            if (previous != null && previous.isAfter(at)) {
                at = previous;
            }
            lastRequestAt.put(partition, at);
            send(new ToParticipant(at, order++, command, reaction));
        }
        if (reaction.duplicateRequest()) {
            txs.get(command.txId()).redeliveredRequests++;
            Reaction copy = reactions.next();
            Reaction once = new Reaction(copy.outcome(), copy.fate(), copy.requestDelayMs(), copy.answerDelayMs(),
                    copy.extraAnswers(), copy.duplicateSpacingMs(), false);
            sendRequest(command, once, sentAt.plusMillis(reaction.requestDelayMs() + reaction.duplicateSpacingMs()));
        }
    }

    private void send(Delivery delivery) {
        inFlight.add(delivery);
    }

    /**
     * The participant handles one request, idempotently by key like the SDK's {@code Idempotent}: a success (and
     * for actions a rejection) is recorded once and repeated to later calls; a transient failure records nothing.
     */
    private void participantRuns(ToParticipant delivery) {
        StepCommand c = delivery.command();
        Reaction r = delivery.reaction();
        Recorded seen = outcomes.get(c.idempotencyKey());
        Outcome outcome;
        String output = null;
        if (seen != null) {
            outcome = seen.outcome();
            output = seen.output();
        } else {
            outcome = r.outcome();
            if (outcome == Outcome.SUCCEEDED) {
                output = c.phase() == Phase.ACTION ? "{\"ref\":\"" + c.idempotencyKey() + "\"}" : null;
                outcomes.put(c.idempotencyKey(), new Recorded(outcome, output));
                effects.add(new Effect(c.txId(), c.step(), c.phase(), c.idempotencyKey(), now));
            } else if (outcome == Outcome.FAILED_PERMANENT && c.phase() == Phase.ACTION) {
                outcomes.put(c.idempotencyKey(), new Recorded(outcome, null));
            }
        }
        if (r.fate() == Fate.ANSWER_LOST) {
            return;
        }
        String error = outcome == Outcome.SUCCEEDED ? null : c.step() + " said " + outcome;
        Input result = new Input.StepResult(c.txId(), c.step(), c.attempt(), c.phase(), outcome, output, error);
        Instant at = now.plusMillis(r.answerDelayMs());
        for (int copy = 0; copy <= r.extraAnswers(); copy++) {
            send(new ToEngine(at.plusMillis((long) copy * r.duplicateSpacingMs()), order++, result));
        }
    }

    /**
     * Feeds every ended transaction more inputs, long after the end: all its inputs again, every timer it ever
     * scheduled, a repeated request, and fresh results for every step, phase and outcome.
     */
    private void probeEndedTransactions() {
        now = now.plus(PROBE_DELAY);
        for (Tx tx : txs.values()) {
            if (!tx.ended()) {
                continue;
            }
            List<Input> probes = new ArrayList<>();
            for (Applied a : List.copyOf(tx.applied)) {
                probes.add(a.input());
                for (TimerCommand t : a.decision().timers()) {
                    probes.add(new Input.TimerFired(tx.id, t.timer()));
                }
            }
            for (StepState s : tx.state.steps()) {
                for (Phase phase : Phase.values()) {
                    for (int attempt = s.attemptOf(phase); attempt <= s.attemptOf(phase) + 1; attempt++) {
                        for (Outcome outcome : Outcome.values()) {
                            probes.add(new Input.StepResult(tx.id, s.name(), attempt, phase, outcome,
                                    outcome == Outcome.SUCCEEDED ? "{}" : null,
                                    outcome == Outcome.SUCCEEDED ? null : "probe"));
                        }
                    }
                }
            }
            for (Input probe : probes) {
                apply(Kind.PROBE, probe);
            }
        }
    }

    /** A generated list consumed front to back, then a fixed default. */
    private static final class Script<T> {
        private final List<T> items;
        private final T otherwise;
        private int next;

        Script(List<T> items, T otherwise) {
            this.items = items;
            this.otherwise = otherwise;
        }

        T next() {
            return next < items.size() ? items.get(next++) : otherwise;
        }
    }
}
