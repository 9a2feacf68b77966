package io.sagalog.compensators;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One call of a handler: which transaction and step it is for, and what the handler may read.
 *
 * @param attempt 1 for the first try; a higher number means an earlier attempt failed or timed out
 * @param idempotencyKey {@code txId:step:action} or {@code txId:step:compensation}, the same for every attempt:
 *     use it to make the effect happen at most once
 * @param input the transaction's input as the client sent it
 * @param context outputs of the steps that succeeded before this one, keyed by step name
 * @param deadline after this instant the engine no longer waits for this attempt
 * @param traceContext the attempt's W3C trace context, the parent of the handler's own spans (see {@link TraceContext})
 */
public record StepCall(String txId, String definition, String step, String handler, int attempt,
                       String idempotencyKey, JsonNode input, JsonNode context, Instant deadline,
                       TraceContext traceContext) {
    public StepCall {
        java.util.Objects.requireNonNull(traceContext, "traceContext");
    }

    /** A call in a new trace of its own (tests, calls made by hand). */
    public StepCall(String txId, String definition, String step, String handler, int attempt, String idempotencyKey,
                    JsonNode input, JsonNode context, Instant deadline) {
        this(txId, definition, step, handler, attempt, idempotencyKey, input, context, deadline, TraceContext.of(null));
    }
}
