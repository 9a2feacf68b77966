package io.sagalog.dispatcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.engine.CallbackTokens;
import io.sagalog.engine.Phase;
import io.sagalog.schemas.avro.StepRequest;
import java.time.Instant;
import java.util.Locale;

/** The JSON of the HTTP participant protocol: what the dispatcher POSTs, and how it reads an answer's body. */
final class ParticipantCallJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ParticipantCallJson() {}

    /** The body POSTed to the participant for one attempt, with the callback a later (202) answer reports to. */
    static String request(StepRequest r, String callbackUrl, CallbackTokens tokens) {
        ObjectNode body = JSON.createObjectNode().put("txId", r.getTxId()).put("definition", r.getDefinition())
                .put("step", r.getStep()).put("phase", r.getPhase().name().toLowerCase(Locale.ROOT))
                .put("action", r.getHandler()).put("attempt", r.getAttempt()).put("idempotencyKey", r.getIdempotencyKey())
                .put("deadline", Instant.ofEpochMilli(r.getDeadlineMillis()).toString());
        body.set("input", tree(r.getInput()));
        body.set("context", tree(r.getContext()));
        body.putObject("callback").put("url", callbackUrl)
                .put("token", tokens.issue(r.getTxId(), r.getStep(), Phase.valueOf(r.getPhase().name()), r.getAttempt()));
        return body.toString();
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json == null || json.isEmpty() ? "null" : json);
        } catch (JsonProcessingException e) {
            return JSON.getNodeFactory().textNode(json);
        }
    }

    /** The participant's body as JSON text; text that is not JSON becomes a JSON string; empty becomes null. */
    static String answer(String text) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(text).toString();
        } catch (JsonProcessingException e) {
            return JSON.getNodeFactory().textNode(text).toString();
        }
    }
}
