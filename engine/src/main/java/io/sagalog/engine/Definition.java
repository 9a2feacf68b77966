package io.sagalog.engine;

import java.time.Duration;
import java.util.List;

/**
 * A named, versioned, ordered list of steps. Every transaction is pinned to the version it started with.
 * Build one with {@link DefinitionParser}, which validates it.
 */
public record Definition(String name, int version, List<StepDefinition> steps, Duration deadline) {
    public Definition {
        steps = List.copyOf(steps);
    }

    public StepDefinition step(int index) {
        return steps.get(index);
    }

    /** Position of the named step, or -1. */
    public int indexOf(String stepName) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).name().equals(stepName)) {
                return i;
            }
        }
        return -1;
    }
}
