package io.sagalog.engine;

import io.sagalog.engine.JournalEvent.TransitionRejected;
import io.sagalog.engine.JournalEvent.TxParked;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pure core of the engine: {@code decide(state, input, now) -> new state + journal events + step requests}.
 * No I/O, no clock reads, no randomness; the Kafka Streams processor is a thin shell around it, and tests
 * drive it directly.
 */
public final class Decider {
    private static final Logger log = LoggerFactory.getLogger(Decider.class);

    private final TransitionTable table;
    private final Transitions transitions;
    private final long maxStepRequestBytes;

    /** A decider over a fixed set of definitions, where every participant counts as registered. */
    public Decider(DefinitionCatalog definitions) {
        this(Registrations.fixed(definitions));
    }

    public Decider(Registrations registrations) {
        this(registrations, TransitionTable.STANDARD, Transitions.DEFAULT_MAX_STEP_REQUEST_BYTES, Retention.DEFAULTS);
    }

    Decider(Registrations registrations, TransitionTable table, long maxStepRequestBytes, Retention retention) {
        this.table = table;
        this.maxStepRequestBytes = maxStepRequestBytes;
        this.transitions = new Transitions(registrations, maxStepRequestBytes, retention);
    }

    /** A decider whose step requests may carry at most {@code maxStepRequestBytes} of input and context. */
    public Decider withMaxStepRequestBytes(long bytes) {
        return new Decider(transitions.registrations(), table, bytes, transitions.retention.defaults());
    }

    /** A decider that keeps finished transactions as long as {@code retention} says (where definitions do not). */
    public Decider withRetention(Retention retention) {
        return new Decider(transitions.registrations(), table, maxStepRequestBytes, retention);
    }

    /**
     * An input for a transaction that expired (the engine found its marker instead of a state): journaled, never
     * applied, nothing stored.
     */
    public Decision afterExpiry(ExpiredTransaction expired, Input input, Instant now) {
        return RetentionPath.afterExpiry(expired, input, now);
    }

    /**
     * What to do when deciding one transaction failed inside the engine (a bug, or a value out of range): park that
     * transaction with the error as its reason (rule {@code engine-error}), so the partition moves on and an operator
     * sees it. Null when there is no transaction to park (the input named none and started none).
     */
    public Decision engineError(TxState state, Input input, Instant now, RuntimeException error) {
        Work work = new Work(input.txId(), state, now);
        if (state == null) {
            if (!(input instanceof Input.TxRequested request)) {
                return null;
            }
            work.state(new TxState(input.txId(), request.definition(), 0, TxStatus.PARKED, request.input(),
                    java.util.List.of(), java.util.List.of(), 0, now, now, null, now, java.util.List.of(),
                    java.util.List.of()));
            work.emit(new JournalEvent.TxStarted(request.definition(), 0));
        }
        String message = String.valueOf(error.getMessage());
        if (message.length() > 1_000) {
            message = message.substring(0, 1_000) + "...";
        }
        java.util.Map<String, String> facts = new java.util.LinkedHashMap<>();
        facts.put("exception", error.getClass().getName());
        facts.put("message", message);
        facts.put("input", input.getClass().getSimpleName());
        String reason = Rule.ENGINE_ERROR.id() + ": the engine failed to decide on a " + input.getClass().getSimpleName()
                + " (" + error.getClass().getSimpleName() + ": " + message + "); the transaction is parked so nothing "
                + "else waits on it";
        work.emit(new JournalEvent.RecoveryDecided(JournalEvent.Direction.PARK, Rule.ENGINE_ERROR.id(), reason,
                facts));
        if (work.state().status() != TxStatus.PARKED || state != null) {
            work.cancelAllTimers();
        }
        work.become(TxStatus.PARKED, reason);
        work.emit(new TxParked(reason));
        transitions.retention.reconcile(work);
        return work.decision();
    }

    /**
     * @param state the transaction's current state, or null when none is stored yet
     * @param now the time the decision is made at; every timestamp in the result comes from it
     */
    public Decision decide(TxState state, Input input, Instant now) {
        Work work = new Work(input.txId(), state, now);
        TxStatus from = work.status();
        Trigger trigger = Trigger.of(input);
        Optional<TransitionTable.Row> row = table.find(from, trigger);
        if (row.isEmpty()) {
            reject(work, from, trigger, input);
            transitions.retention.reconcile(work);
            return work.decision();
        }
        row.get().handler().apply(transitions, work, input);
        if (!row.get().to().contains(work.status())) {
            // A bug in a handler, not bad input: fail loudly rather than store a state the table forbids.
            throw new IllegalStateException("transition " + row.get().name() + " of " + input.txId() + " went "
                    + from + " -> " + work.status() + ", but the table allows only " + row.get().to());
        }
        transitions.retention.reconcile(work);
        return work.decision();
    }

    /** An undeclared transition is loud: logged, journaled, and the transaction parks rather than corrupts. */
    private static void reject(Work work, TxStatus from, Trigger trigger, Input input) {
        String reason = "undeclared transition: " + trigger + " is not allowed while " + from;
        log.warn("{} of transaction {} (input {})", reason, input.txId(), input);
        work.emit(new TransitionRejected(from, trigger.name(), reason));
        if (work.state() == null) {
            work.storeNothing();
            return;
        }
        work.cancelAllTimers();
        work.become(TxStatus.PARKED, reason);
        work.emit(new TxParked(reason));
    }
}
