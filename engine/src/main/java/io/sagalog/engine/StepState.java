package io.sagalog.engine;

/**
 * Where one step of one transaction stands.
 *
 * @param attempt the action attempt last dispatched, 0 before the first
 * @param compensationAttempt the compensation attempt last dispatched, 0 before the first
 * @param output the action's output as JSON text, once it succeeded
 * @param error what the last failure said, for people
 * @param inDoubt an action attempt timed out, so the action may have happened without the engine knowing;
 *     a rollback compensates such a step too (compensations tolerate "never happened")
 */
public record StepState(String name, StepStatus status, int attempt, int compensationAttempt, String output,
                        String error, boolean inDoubt) {

    public static StepState pending(String name) {
        return new StepState(name, StepStatus.PENDING, 0, 0, null, null, false);
    }

    public StepState with(StepStatus newStatus) {
        return new StepState(name, newStatus, attempt, compensationAttempt, output, error, inDoubt);
    }

    public StepState dispatched(int newAttempt) {
        return new StepState(name, StepStatus.RUNNING, newAttempt, compensationAttempt, output, error, inDoubt);
    }

    public StepState succeeded(String newOutput) {
        return new StepState(name, StepStatus.SUCCEEDED, attempt, compensationAttempt, newOutput, null, inDoubt);
    }

    public StepState failed(String newError) {
        return new StepState(name, StepStatus.FAILED, attempt, compensationAttempt, output, newError, inDoubt);
    }

    public StepState timedOut() {
        return new StepState(name, status, attempt, compensationAttempt, output,
                "no result within the step's timeout (attempt " + attempt + ")", true);
    }

    /** The attempt's outcome is unknown (no answer, or the transport could not tell): the action may have happened. */
    public StepState inDoubt(String newError) {
        return new StepState(name, status, attempt, compensationAttempt, output, newError, true);
    }

    public StepState compensating(int newCompensationAttempt) {
        return new StepState(name, StepStatus.COMPENSATING, attempt, newCompensationAttempt, output, error, inDoubt);
    }

    public StepState compensated() {
        return new StepState(name, StepStatus.COMPENSATED, attempt, compensationAttempt, output, error, inDoubt);
    }

    public StepState withError(String newError) {
        return new StepState(name, status, attempt, compensationAttempt, output, newError, inDoubt);
    }

    /** The attempt number of the given phase. */
    public int attemptOf(Phase phase) {
        return phase == Phase.ACTION ? attempt : compensationAttempt;
    }
}
