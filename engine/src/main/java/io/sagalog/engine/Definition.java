package io.sagalog.engine;

import java.time.Duration;
import java.util.List;

/**
 * A named, versioned, ordered list of steps. Every transaction is pinned to the version it started with.
 * Build one with {@link DefinitionParser}, which validates it.
 *
 * @param retention how long a transaction of this definition stays after it ended, by final status, where the
 *     definition overrides the engine's flags (see {@link Retention}); empty for none
 */
public record Definition(String name, int version, List<StepDefinition> steps, Duration deadline,
                         java.util.Map<TxStatus, Duration> retention) {
    public Definition {
        steps = List.copyOf(steps);
        retention = Retention.copy(retention);
    }

    /** Without retention overrides: the engine's flags apply. */
    public Definition(String name, int version, List<StepDefinition> steps, Duration deadline) {
        this(name, version, steps, deadline, Retention.none());
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
