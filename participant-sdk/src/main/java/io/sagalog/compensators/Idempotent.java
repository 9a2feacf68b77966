package io.sagalog.compensators;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Handler-side deduplication: wraps a handler so its work runs at most once per idempotency key. A repeated
 * call returns the recorded output (or repeats the recorded rejection) without calling the handler again.
 * Transient failures are not recorded: the next attempt runs the handler again.
 *
 * <pre>{@code
 * OutcomeStore seen = OutcomeStore.inMemory();
 * Participant.named("hotels")
 *         .action("reserve", Idempotent.action(seen, call -> rooms.reserve(call.input())))
 *         .compensation("cancel", Idempotent.compensation(seen, call -> rooms.cancel(call.context())))
 *         .build();
 * }</pre>
 *
 * <p>The outcome is recorded after the handler returns. A crash between the effect and the record can still
 * repeat the effect; only a store written in the same transaction as the effect closes that gap.
 */
public final class Idempotent {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Idempotent() {}

    public static ActionHandler action(OutcomeStore store, ActionHandler handler) {
        return call -> {
            var seen = store.find(call.idempotencyKey());
            if (seen.isPresent()) {
                if (seen.get().rejected()) {
                    throw PermanentFailure.because(seen.get().value());
                }
                return JSON.readTree(seen.get().value());
            }
            Object output;
            try {
                output = handler.handle(call);
            } catch (PermanentFailure rejection) {
                store.record(call.idempotencyKey(), new OutcomeStore.Outcome(true, rejection.getMessage()));
                throw rejection;
            }
            store.record(call.idempotencyKey(), new OutcomeStore.Outcome(false, JSON.writeValueAsString(output)));
            return output;
        };
    }

    public static CompensationHandler compensation(OutcomeStore store, CompensationHandler handler) {
        return call -> {
            if (store.find(call.idempotencyKey()).isPresent()) {
                return;
            }
            handler.compensate(call);
            store.record(call.idempotencyKey(), new OutcomeStore.Outcome(false, "null"));
        };
    }
}
