package io.sagalog.compensators;

/**
 * Does a step's work, for example reserving a seat.
 *
 * <p>The contract:
 * <ul>
 *   <li>Return the step's output (any value Jackson can write as JSON, or null). Later steps see it in
 *       {@link StepCall#context()} under this step's name.
 *   <li>Throw {@link PermanentFailure} for a business rejection ("no seats left"): retrying would give the same
 *       answer, so the engine stops and undoes the steps that completed before this one.
 *   <li>Any other exception is transient ("database unavailable"): the engine retries, up to the step's budget.
 *   <li>The same call can arrive more than once (a retry after a timeout, a redelivery after a crash). Use
 *       {@link StepCall#idempotencyKey()}, which is the same for every attempt, so the effect happens once.
 *   <li>The engine may give up waiting (the deadline passes) while your work still completes: it will then ask
 *       your compensation to undo it, so record what you did under the idempotency key.
 * </ul>
 */
@FunctionalInterface
public interface ActionHandler {
    Object handle(StepCall call) throws Exception;
}
