package io.sagalog.http.auth;

import java.util.List;

/**
 * A tokens file that cannot be used. It carries every problem found, each as {@code <source> line N: ...},
 * so a person fixes the whole file in one go instead of one error per restart. Messages never contain a token.
 */
public final class InvalidTokenFileException extends IllegalArgumentException {
    private final List<String> problems;

    public InvalidTokenFileException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    /** For a file that could not be read at all. */
    public InvalidTokenFileException(String problem, Throwable cause) {
        super(problem, cause);
        this.problems = List.of(problem);
    }

    /** Every problem, in line order. */
    public List<String> problems() {
        return problems;
    }
}
