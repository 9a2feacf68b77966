package io.sagalog.engine;

import java.util.List;

/** A definition that breaks one or more rules; {@link #problems()} lists each one for people. */
public final class InvalidDefinitionException extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public InvalidDefinitionException(List<String> problems) {
        super("invalid definition: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
