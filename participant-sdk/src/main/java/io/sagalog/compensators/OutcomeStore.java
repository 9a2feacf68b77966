package io.sagalog.compensators;

import java.util.Optional;

/**
 * Where a participant remembers the outcome of each idempotency key it handled, so a repeated call (a retry
 * after a timeout, a redelivery after a crash) returns the first outcome instead of doing the work again.
 * In production, back it with the participant's own database, written in the same transaction as the effect.
 */
public interface OutcomeStore {

    /** A recorded outcome: the output JSON of a success, or the reason of a business rejection. */
    record Outcome(boolean rejected, String value) {}

    Optional<Outcome> find(String idempotencyKey);

    void record(String idempotencyKey, Outcome outcome);

    /** An in-process store for tests and demos; outcomes are lost when the process ends. */
    static OutcomeStore inMemory() {
        java.util.Map<String, Outcome> map = new java.util.concurrent.ConcurrentHashMap<>();
        return new OutcomeStore() {
            @Override
            public Optional<Outcome> find(String idempotencyKey) {
                return Optional.ofNullable(map.get(idempotencyKey));
            }

            @Override
            public void record(String idempotencyKey, Outcome outcome) {
                map.put(idempotencyKey, outcome);
            }
        };
    }
}
