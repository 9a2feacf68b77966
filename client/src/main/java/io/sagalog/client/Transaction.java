package io.sagalog.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A transaction as {@code GET /v1/transactions/{txId}} answers. Fields the server adds later are ignored.
 * A submit that waited ({@link SagalogClient#submitAndWait}) and found the transaction not started yet has only
 * {@code txId} and {@code status} ({@code PENDING}); the other fields are then null or empty.
 *
 * @param txId the transaction's id (a UUID)
 * @param definition the definition it runs
 * @param definitionVersion the version of the definition it started with
 * @param status where it stands
 * @param reason why it is PARKED or how it ended (null: nothing to say)
 * @param input the input it was submitted with
 * @param context the outputs of the steps that succeeded, by step name (what later steps see)
 * @param steps its steps in definition order
 * @param compensationPlan the steps that a rollback in progress still undoes, in order
 * @param rollbackPlan what a rollback would undo now, newest first
 * @param createdAt when it was accepted
 * @param updatedAt when it last changed
 * @param held whether an operator put it on hold (kept past its retention)
 * @param expiresAt when a finished transaction is archived and deleted (null: unfinished or held)
 * @param history every event, oldest first
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Transaction(String txId, String definition, int definitionVersion, TransactionStatus status,
                          String reason, JsonNode input, JsonNode context, List<Step> steps, List<String> compensationPlan,
                          List<String> rollbackPlan, Instant createdAt, Instant updatedAt, boolean held,
                          Instant expiresAt, List<HistoryEntry> history) {
    public Transaction {
        steps = steps == null ? List.of() : List.copyOf(steps);
        compensationPlan = compensationPlan == null ? List.of() : List.copyOf(compensationPlan);
        rollbackPlan = rollbackPlan == null ? List.of() : List.copyOf(rollbackPlan);
        history = history == null ? List.of() : List.copyOf(history);
        status = status == null ? TransactionStatus.UNKNOWN : status;
    }

    /**
     * The {@code seq} of the newest history event: pass it as {@link ActionRequest#expectedSeq} so that an action
     * decided on this view is refused ({@link StaleTransactionException}) once the transaction has moved on.
     */
    public OptionalLong lastSeq() {
        return history.isEmpty() ? OptionalLong.empty() : OptionalLong.of(history.get(history.size() - 1).seq());
    }

    /** The step of that name. */
    public Optional<Step> step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** Whether waiting longer would not help: see {@link TransactionStatus#isSettled()}. */
    public boolean isSettled() {
        return status.isSettled();
    }
}
