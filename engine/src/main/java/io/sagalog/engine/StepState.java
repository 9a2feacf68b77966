package io.sagalog.engine;

/**
 * Where one step of one transaction stands.
 *
 * @param attempt the action attempt last dispatched, 0 before the first
 * @param compensationAttempt the compensation attempt last dispatched, 0 before the first
 * @param output the action's output as JSON text, once it succeeded
 * @param error what the last failure said, for people
 */
public record StepState(String name, StepStatus status, int attempt, int compensationAttempt, String output,
                        String error) {

    public static StepState pending(String name) {
        return new StepState(name, StepStatus.PENDING, 0, 0, null, null);
    }

    public StepState dispatched(int newAttempt) {
        return new StepState(name, StepStatus.RUNNING, newAttempt, compensationAttempt, output, error);
    }

    public StepState succeeded(String newOutput) {
        return new StepState(name, StepStatus.SUCCEEDED, attempt, compensationAttempt, newOutput, null);
    }

    public StepState failed(String newError) {
        return new StepState(name, StepStatus.FAILED, attempt, compensationAttempt, output, newError);
    }

    public StepState compensating(int newCompensationAttempt) {
        return new StepState(name, StepStatus.COMPENSATING, attempt, newCompensationAttempt, output, error);
    }

    public StepState compensated() {
        return new StepState(name, StepStatus.COMPENSATED, attempt, compensationAttempt, output, error);
    }

    public StepState withError(String newError) {
        return new StepState(name, status, attempt, compensationAttempt, output, newError);
    }

    /** The attempt number of the given phase. */
    public int attemptOf(Phase phase) {
        return phase == Phase.ACTION ? attempt : compensationAttempt;
    }
}
