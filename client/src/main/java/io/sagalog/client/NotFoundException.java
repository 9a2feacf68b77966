package io.sagalog.client;

import java.time.Duration;

/** 404: no such transaction (one accepted a moment ago may not be started yet), or 410: it expired and was archived. */
public class NotFoundException extends ProblemException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(Problem problem, Duration retryAfter) {
        super(problem, retryAfter);
    }
}
