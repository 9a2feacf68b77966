package io.sagalog.engine;

/** The engine cannot answer right now (starting, rebalancing, restoring); asking again later will work. */
public final class EngineNotReadyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EngineNotReadyException(String message, Throwable cause) {
        super(message, cause);
    }
}
