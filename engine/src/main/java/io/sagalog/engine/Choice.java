package io.sagalog.engine;

import io.sagalog.engine.JournalEvent.Direction;
import java.time.Instant;
import java.util.Map;

/**
 * What a recovery rule decided, with the rule, the reason in words and the facts it used (all journaled as
 * {@code RecoveryDecided}). The kinds say what the engine does next: {@link Retry} the failed attempt (an action, or
 * during a rollback a compensation) at a time, {@link GoOn} as before, {@link RollBack}, or {@link Park}.
 */
public sealed interface Choice {
    Rule rule();

    String reason();

    Map<String, String> facts();

    /** The direction of its rule. */
    default Direction direction() {
        return rule().direction();
    }

    /** Dispatch the failed attempt's successor at {@code at}. */
    record Retry(Rule rule, String reason, Map<String, String> facts, Instant at) implements Choice {}

    /** Nothing to undo or retry: the transaction goes on where it is. */
    record GoOn(Rule rule, String reason, Map<String, String> facts) implements Choice {}

    /** Undo what was done, newest first. */
    record RollBack(Rule rule, String reason, Map<String, String> facts) implements Choice {}

    /** Stop and wait for an operator. */
    record Park(Rule rule, String reason, Map<String, String> facts) implements Choice {}
}
