package io.sagalog.client;

/**
 * A call to Sagalog failed. This class itself means no usable answer came (the server could not be reached, the call
 * timed out, the answer was not what the API defines); {@link ProblemException} and its subclasses mean the server
 * answered with an error.
 */
public class SagalogException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SagalogException(String message, Throwable cause) {
        super(message, cause);
    }
}
