package io.sagalog.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.engine.HistoryEntry;
import io.sagalog.engine.StepState;
import io.sagalog.engine.StepStatus;
import io.sagalog.engine.TransactionPage;
import io.sagalog.engine.TransactionView;
import io.sagalog.engine.TxState;

/** The JSON shapes of the transaction query API. */
public final class TransactionJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TransactionJson() {}

    public static String render(TransactionView view) {
        TxState s = view.state();
        ObjectNode root = JSON.createObjectNode();
        root.put("txId", s.txId());
        root.put("definition", s.definition());
        root.put("definitionVersion", s.definitionVersion());
        root.put("status", s.status().name());
        if (s.reason() != null) {
            root.put("reason", s.reason());
        }
        root.set("input", parse(s.input()));
        ObjectNode context = root.putObject("context");
        ArrayNode steps = root.putArray("steps");
        for (StepState step : s.steps()) {
            ObjectNode n = steps.addObject().put("name", step.name()).put("status", step.status().name())
                    .put("attempt", step.attempt());
            if (view.definition() != null) {
                var def = view.definition().step(view.definition().indexOf(step.name()));
                n.put("kind", def.kind().name().toLowerCase(java.util.Locale.ROOT)).put("participant", def.participant());
            }
            if (step.compensationAttempt() > 0) {
                n.put("compensationAttempt", step.compensationAttempt());
            }
            if (step.output() != null) {
                n.set("output", parse(step.output()));
                if (step.status() == StepStatus.SUCCEEDED) {
                    context.set(step.name(), parse(step.output()));
                }
            }
            if (step.error() != null) {
                n.put("error", step.error());
            }
        }
        ArrayNode plan = root.putArray("compensationPlan");
        s.compensationPlan().forEach(plan::add);
        ArrayNode rollbackPlan = root.putArray("rollbackPlan");
        view.rollbackPlan().forEach(rollbackPlan::add);
        root.put("createdAt", s.createdAt().toString());
        root.put("updatedAt", s.updatedAt().toString());
        // Retention: when a finished transaction is archived and evicted (null while unfinished or on hold).
        root.put("held", s.held()).put("expiresAt", s.expiresAt() == null ? null : s.expiresAt().toString());
        ArrayNode history = root.putArray("history");
        for (HistoryEntry e : view.history()) {
            ObjectNode n = history.addObject().put("seq", e.seq()).put("type", e.type()).put("at", e.at().toString())
                    .put("status", e.status().name());
            if (e.step() != null) {
                n.put("step", e.step());
            }
            if (e.attempt() != null) {
                n.put("attempt", e.attempt());
            }
            if (e.reason() != null) {
                n.put("reason", e.reason());
            }
            if (e.detail() != null) {
                n.set("detail", parse(e.detail()));
            }
        }
        root.putObject("links").put("self", "/v1/transactions/" + s.txId());
        return root.toString();
    }

    /** One list item. */
    public static ObjectNode summary(TransactionPage.Summary s) {
        ObjectNode n = JSON.createObjectNode().put("txId", s.txId()).put("definition", s.definition())
                .put("definitionVersion", s.definitionVersion()).put("status", s.status().name());
        if (s.reason() != null) {
            n.put("reason", s.reason());
        }
        return n.put("createdAt", s.createdAt().toString()).put("updatedAt", s.updatedAt().toString())
                .put("cursor", s.cursor());
    }

    /** Stored JSON text back to a tree; text that is not JSON is shown as a string rather than lost. */
    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return JSON.getNodeFactory().textNode(text);
        }
    }
}
