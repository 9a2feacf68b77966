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

    /** A decider over a fixed set of definitions, where every participant counts as registered. */
    public Decider(DefinitionCatalog definitions) {
        this(() -> definitions, participant -> true);
    }

    /**
     * @param definitions the current definitions (an immutable snapshot per call; versions never change once stored)
     * @param participantRegistered whether a participant is registered; a step of an unregistered participant waits
     */
    public Decider(java.util.function.Supplier<DefinitionCatalog> definitions,
                   java.util.function.Predicate<String> participantRegistered) {
        this(definitions, participantRegistered, TransitionTable.STANDARD);
    }

    Decider(java.util.function.Supplier<DefinitionCatalog> definitions,
            java.util.function.Predicate<String> participantRegistered, TransitionTable table) {
        this.table = table;
        this.transitions = new Transitions(definitions, participantRegistered);
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
            return work.decision();
        }
        row.get().handler().apply(transitions, work, input);
        if (!row.get().to().contains(work.status())) {
            // A bug in a handler, not bad input: fail loudly rather than store a state the table forbids.
            throw new IllegalStateException("transition " + row.get().name() + " of " + input.txId() + " went "
                    + from + " -> " + work.status() + ", but the table allows only " + row.get().to());
        }
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
