package io.sagalog.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagalog.compensators.Idempotent;
import io.sagalog.compensators.OutcomeStore;
import io.sagalog.compensators.Participant;
import io.sagalog.compensators.PermanentFailure;
import io.sagalog.compensators.StepCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The participants of {@link EngineCrashRecoveryIntegrationTest}: three services that fail now and then, and a
 * ledger of everything they saw and did, kept in the test JVM (which is never killed).
 *
 * <p>Every handler call is recorded before anything else ({@link Call}); the business effect (a reservation, a
 * cancellation) runs behind {@link Idempotent} with an in-memory {@link OutcomeStore} and is recorded as an
 * {@link Effect}, so the test can count effects per idempotency key. Faults are injected inside the idempotent
 * part, before the effect: a transient failure (~10% of calls), a business rejection (for the step named by the
 * input's {@code rejectAt}), and rarely a call that sleeps past the step timeout and then does its work. Whether a
 * call fails is a function of (salt, idempotency key, attempt), so a redelivered request behaves the same.
 */
final class CrashTestParticipants {
    static final List<String> STEPS = List.of("flights", "hotels", "payments");
    static final List<String> PARTICIPANTS = List.of("crash-flights", "crash-hotels", "crash-payments");
    static final List<String> ACTIONS = List.of("reserve", "reserve", "charge");
    static final List<String> COMPENSATIONS = List.of("cancel", "cancel", "refund");

    static final int TRANSIENT_PERCENT = 10;
    static final int SLOW_ACTION_PER_MILLE = 6;
    static final int SLOW_COMPENSATION_PER_MILLE = 4;
    static final long SLOW_MILLIS = 2_300; // the step timeout is 2 s

    enum Kind { ACTION, COMPENSATION }

    /** One handler call as the participant received it. */
    record Call(long seq, long atMillis, String definition, String txId, String step, Kind kind, int attempt, String key) {}

    /** One business effect: done at most once per idempotency key if all is well. */
    record Effect(long seq, String txId, String step, Kind kind, String key, boolean undidSomething) {}

    private final long salt;
    private final AtomicLong seq = new AtomicLong();
    private final Queue<Call> calls = new ConcurrentLinkedQueue<>();
    private final Queue<Effect> effects = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicInteger> effectsPerKey = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> deliveriesPerAttempt = new ConcurrentHashMap<>();
    /** txId:step of every action effect, for compensations to see whether there is something to undo. */
    private final Map<String, Boolean> reserved = new ConcurrentHashMap<>();
    private final Queue<String> contextProblems = new ConcurrentLinkedQueue<>();
    final AtomicInteger transientInjected = new AtomicInteger();
    final AtomicInteger rejectionsInjected = new AtomicInteger();
    final AtomicInteger slowInjected = new AtomicInteger();
    private volatile long lastCallNanos = System.nanoTime();

    CrashTestParticipants(long salt) {
        this.salt = salt;
    }

    List<Participant> participants() {
        List<Participant> all = new ArrayList<>();
        for (int i = 0; i < STEPS.size(); i++) {
            OutcomeStore store = OutcomeStore.inMemory();
            int index = i;
            var action = Idempotent.action(store, call -> act(index, call));
            var compensation = Idempotent.compensation(store, call -> compensate(index, call));
            all.add(Participant.named(PARTICIPANTS.get(i))
                    .action(ACTIONS.get(i), call -> {
                        record(call, Kind.ACTION);
                        return action.handle(call);
                    })
                    .compensation(COMPENSATIONS.get(i), call -> {
                        record(call, Kind.COMPENSATION);
                        compensation.compensate(call);
                    })
                    .build());
        }
        return all;
    }

    private void record(StepCall call, Kind kind) {
        lastCallNanos = System.nanoTime();
        calls.add(new Call(seq.incrementAndGet(), System.currentTimeMillis(), call.definition(), call.txId(), call.step(), kind, call.attempt(),
                call.idempotencyKey()));
        deliveriesPerAttempt.computeIfAbsent(call.idempotencyKey() + "#" + call.attempt(), k -> new AtomicInteger())
                .incrementAndGet();
    }

    private Object act(int index, StepCall call) throws InterruptedException {
        String step = STEPS.get(index);
        if (index > 0) {
            String previous = STEPS.get(index - 1);
            JsonNode prior = call.context().path(previous);
            if (!call.txId().equals(prior.path("tx").asText())) {
                contextProblems.add(call.idempotencyKey() + " attempt " + call.attempt() + " has context " + call.context()
                        + " without the output of " + previous);
            }
        }
        if (step.equals(call.input().path("rejectAt").asText())) {
            rejectionsInjected.incrementAndGet();
            throw PermanentFailure.because(step + " rejected transaction " + call.txId() + " (input rejectAt=" + step + ")");
        }
        int roll = roll(call, 1000);
        if (roll < TRANSIENT_PERCENT * 10) {
            transientInjected.incrementAndGet();
            throw new IllegalStateException("injected transient failure of " + step + " (attempt " + call.attempt() + ")");
        }
        if (roll >= 1000 - SLOW_ACTION_PER_MILLE) {
            slowInjected.incrementAndGet();
            Thread.sleep(SLOW_MILLIS);
        }
        reserved.put(call.txId() + ":" + step, true);
        effect(call, Kind.ACTION, false);
        return Map.of("tx", call.txId(), "step", step, "ref", step.substring(0, 1).toUpperCase() + Math.floorMod(
                call.idempotencyKey().hashCode(), 100_000));
    }

    private void compensate(int index, StepCall call) throws InterruptedException {
        String step = STEPS.get(index);
        int roll = roll(call, 1000);
        if (roll < TRANSIENT_PERCENT * 10) {
            transientInjected.incrementAndGet();
            throw new IllegalStateException("injected transient failure of " + step + " compensation (attempt "
                    + call.attempt() + ")");
        }
        if (roll >= 1000 - SLOW_COMPENSATION_PER_MILLE) {
            slowInjected.incrementAndGet();
            Thread.sleep(SLOW_MILLIS);
        }
        // Tolerates "never happened": undoing a reservation that was never made changes nothing.
        boolean undid = reserved.remove(call.txId() + ":" + step) != null;
        effect(call, Kind.COMPENSATION, undid);
    }

    private void effect(StepCall call, Kind kind, boolean undid) {
        effectsPerKey.computeIfAbsent(call.idempotencyKey(), k -> new AtomicInteger()).incrementAndGet();
        effects.add(new Effect(seq.incrementAndGet(), call.txId(), call.step(), kind, call.idempotencyKey(), undid));
    }

    /** A stable pseudo-random number in [0, bound) for this (key, attempt). */
    private int roll(StepCall call, int bound) {
        long z = salt ^ ((long) call.idempotencyKey().hashCode() << 20) ^ call.attempt() * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        z = z ^ (z >>> 31);
        return (int) Math.floorMod(z, (long) bound);
    }

    long seqNow() {
        return seq.get();
    }

    List<Call> calls() {
        return List.copyOf(calls);
    }

    List<Effect> effects() {
        return List.copyOf(effects);
    }

    /** Idempotency keys whose effect ran more than once. */
    Map<String, Integer> repeatedEffects() {
        Map<String, Integer> repeated = new java.util.TreeMap<>();
        effectsPerKey.forEach((k, v) -> {
            if (v.get() > 1) {
                repeated.put(k, v.get());
            }
        });
        return repeated;
    }

    /** Extra deliveries of the very same request (same key and attempt), e.g. re-sent after an engine crash. */
    int duplicateDeliveries() {
        return deliveriesPerAttempt.values().stream().mapToInt(a -> a.get() - 1).sum();
    }

    List<String> contextProblems() {
        return List.copyOf(contextProblems);
    }

    long nanosSinceLastCall() {
        return System.nanoTime() - lastCallNanos;
    }
}
