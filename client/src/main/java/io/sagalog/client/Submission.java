package io.sagalog.client;

/**
 * The answer to a submit ({@code 202}): the transaction is recorded (Kafka acknowledged it), not necessarily
 * started.
 *
 * @param txId the transaction's id; the same for every submit with the same definition, idempotency key and input
 * @param status {@code PENDING} for a new transaction; for a repeated submit, the status it had then
 * @param idempotencyKey the key the server used: the caller's, or one it made when none was sent (retrying with it
 *                       is safe)
 */
public record Submission(String txId, TransactionStatus status, String idempotencyKey) {
}
