package io.sagalog.compensators;

/**
 * Undoes a step's work, for example cancelling a reservation. Compensations run newest step first, one at a time,
 * only for steps whose action was dispatched.
 *
 * <p>The contract, which the engine relies on:
 * <ul>
 *   <li><b>Idempotent.</b> It can be called more than once for the same step ({@link StepCall#idempotencyKey()} is
 *       the same for every attempt); undoing twice must leave the same result as undoing once.
 *   <li><b>Tolerates "never happened".</b> If the action's outcome was unknown (it timed out), the engine
 *       compensates it anyway. When there is nothing to undo, return normally.
 *   <li><b>Retriable until it succeeds.</b> Every exception, {@link PermanentFailure} included, makes the engine
 *       retry; when the step's budget runs out the transaction is parked for an operator. A compensation
 *       cannot refuse: a rollback that stops half-way is worse than one that waits.
 *   <li><b>Semantic, not physical.</b> It does not have to erase history (a refund, a cancellation notice);
 *       it has to make the business state right again.
 * </ul>
 */
@FunctionalInterface
public interface CompensationHandler {
    void compensate(StepCall call) throws Exception;
}
