package io.sagalog.client;

import java.time.Duration;

/** 401: no token, or one the server does not know (check the token you configured). */
public class UnauthorizedException extends ProblemException {
    private static final long serialVersionUID = 1L;

    public UnauthorizedException(Problem problem, Duration retryAfter) {
        super(problem, retryAfter);
    }
}
