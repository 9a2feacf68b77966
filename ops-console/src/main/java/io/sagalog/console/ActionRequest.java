package io.sagalog.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagalog.engine.OperatorAction;
import io.sagalog.http.Problem;
import io.sagalog.http.ApiDocuments;
import io.sagalog.http.StrictJson;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import java.util.stream.Collectors;

/** The body of {@code POST /v1/transactions/{txId}/actions}. */
record ActionRequest(String actionId, OperatorAction action, String step, String output, String reason,
                     boolean force, Long expectedSeq) {
    /** The engine's actions, as the wire names them: a new one needs no change here. */
    private static final String ACTIONS = Arrays.stream(OperatorAction.values()).map(OperatorAction::wireName)
            .collect(Collectors.joining(", "));
    /** The longest {@code reason} kept in the history. */
    static final int MAX_REASON_LENGTH = 4096;
    /** The largest {@code output} of a skip, as JSON in UTF-8 (as for a participant's output). */
    static final int MAX_OUTPUT_BYTES = 256 * 1024;

    /** Parses and validates; on a problem sends it and returns null. */
    static ActionRequest parse(RoutingContext ctx) {
        JsonNode body = StrictJson.readObject(ctx);
        if (body == null || ApiDocuments.refuseUnknownFields(ctx, body)) {
            return null;
        }
        try {
            return of(body);
        } catch (IllegalArgumentException e) {
            Problem.invalidRequest(e.getMessage()).send(ctx);
            return null;
        }
    }

    static ActionRequest of(JsonNode body) {
        JsonNode action = body.get("action");
        if (action == null || !action.isTextual()) {
            throw new IllegalArgumentException("'action' is required: one of " + ACTIONS);
        }
        OperatorAction parsed;
        try {
            parsed = OperatorAction.parse(action.asText());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'action' must be one of " + ACTIONS);
        }
        JsonNode reason = body.get("reason");
        if (reason == null || !reason.isTextual() || reason.asText().isBlank()) {
            throw new IllegalArgumentException("'reason' is required: say why, in words; it is kept in the history");
        }
        if (reason.asText().length() > MAX_REASON_LENGTH) {
            throw new IllegalArgumentException("'reason' has " + reason.asText().length() + " characters; at most "
                    + MAX_REASON_LENGTH + " are allowed");
        }
        JsonNode step = body.get("step");
        if (step != null && !step.isNull() && (!step.isTextual() || step.asText().length() > 100)) {
            throw new IllegalArgumentException("'step' must be a step name (1 to 100 characters)");
        }
        JsonNode output = body.get("output");
        if (output != null && !output.isNull() && parsed != OperatorAction.SKIP) {
            throw new IllegalArgumentException("'output' is only for skip");
        }
        if (output != null && !output.isNull()
                && output.toString().getBytes(StandardCharsets.UTF_8).length > MAX_OUTPUT_BYTES) {
            throw new IllegalArgumentException("'output' is larger than " + MAX_OUTPUT_BYTES
                    + " bytes as JSON; at most " + MAX_OUTPUT_BYTES + " are allowed");
        }
        JsonNode expectedSeq = body.get("expectedSeq");
        if (expectedSeq != null && !expectedSeq.isNull() && (!expectedSeq.isIntegralNumber()
                || !expectedSeq.canConvertToLong() || expectedSeq.asLong() < 0)) {
            throw new IllegalArgumentException("'expectedSeq' must be a whole number of 0 or more: the seq of the "
                    + "newest history event you saw");
        }
        JsonNode force = body.get("force");
        if (force != null && !force.isNull() && !force.isBoolean()) {
            throw new IllegalArgumentException("'force' must be true or false");
        }
        JsonNode actionId = body.get("actionId");
        if (actionId != null && !actionId.isNull() && (!actionId.isTextual() || actionId.asText().isBlank()
                || actionId.asText().length() > 100)) {
            throw new IllegalArgumentException("'actionId' must be text of 1 to 100 characters (e.g. a UUID)");
        }
        return new ActionRequest(
                actionId == null || actionId.isNull() ? UUID.randomUUID().toString() : actionId.asText(),
                parsed, step == null || step.isNull() ? null : step.asText(),
                output == null || output.isNull() ? null : output.toString(), reason.asText().strip(),
                force != null && force.asBoolean(),
                expectedSeq == null || expectedSeq.isNull() ? null : expectedSeq.asLong());
    }
}
