package io.sagalog.client;

import java.time.Duration;

/** 403: the token is known, but its roles do not allow this call (e.g. an action needs the operator role). */
public class ForbiddenException extends ProblemException {
    private static final long serialVersionUID = 1L;

    public ForbiddenException(Problem problem, Duration retryAfter) {
        super(problem, retryAfter);
    }
}
