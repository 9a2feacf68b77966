package io.sagalog.engine;

import java.time.Duration;

/**
 * One step of a definition.
 *
 * @param participant the service that performs it; its requests go to {@code sagalog.steps.<participant>}
 * @param action the handler name the participant registered for doing the step
 * @param compensation the handler name for undoing it, or null when the step has nothing to undo
 */
public record StepDefinition(String name, String participant, String action, String compensation,
                             StepKind kind, Duration timeout, RetryPolicy retry) {

    public boolean hasCompensation() {
        return compensation != null;
    }

    public String handler(Phase phase) {
        return phase == Phase.ACTION ? action : compensation;
    }
}
