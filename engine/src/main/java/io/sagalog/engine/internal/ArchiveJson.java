package io.sagalog.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.engine.HistoryEntry;
import io.sagalog.engine.StepState;
import io.sagalog.engine.TxState;
import java.time.Instant;
import java.util.List;

/**
 * One expired transaction as the archive topic holds it: its final state and its history, as one JSON document
 * (format {@code sagalog.archive/v1}, described field by field in docs/retention.md). Plain JSON, so Kafka Connect's
 * sinks can ship it without knowing Sagalog.
 */
public final class ArchiveJson {
    public static final String FORMAT = "sagalog.archive/v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ArchiveJson() {}

    static String write(TxState s, List<HistoryEntry> history, Instant archivedAt) {
        ObjectNode out = JSON.createObjectNode().put("format", FORMAT).put("txId", s.txId())
                .put("definition", s.definition()).put("definitionVersion", s.definitionVersion())
                .put("status", s.status().name()).put("createdAt", s.createdAt().toString())
                .put("finishedAt", s.updatedAt().toString())
                .put("expiresAt", s.expiresAt() == null ? null : s.expiresAt().toString())
                .put("archivedAt", archivedAt.toString()).put("reason", s.reason());
        out.set("input", jsonOrText(s.input()));
        ArrayNode steps = out.putArray("steps");
        for (StepState step : s.steps()) {
            ObjectNode n = steps.addObject().put("name", step.name()).put("status", step.status().name())
                    .put("attempt", step.attempt()).put("compensationAttempt", step.compensationAttempt())
                    .put("inDoubt", step.inDoubt()).put("error", step.error());
            n.set("output", jsonOrText(step.output()));
        }
        ArrayNode plan = out.putArray("compensationPlan");
        s.compensationPlan().forEach(plan::add);
        ArrayNode actions = out.putArray("operatorActions");
        s.operatorActions().forEach(actions::add);
        // tx-history keeps a transaction's newest 2,000 events; the journal topic has every one.
        out.put("historyComplete", history.isEmpty() || history.get(0).seq() == 0);
        ArrayNode events = out.putArray("history");
        for (HistoryEntry e : history) {
            ObjectNode n = events.addObject().put("seq", e.seq()).put("at", e.at().toString()).put("type", e.type())
                    .put("status", e.status().name()).put("step", e.step());
            if (e.attempt() == null) {
                n.putNull("attempt");
            } else {
                n.put("attempt", e.attempt());
            }
            n.put("reason", e.reason());
            n.set("detail", jsonOrText(e.detail()));
        }
        return out.toString();
    }

    /** JSON text as JSON (inputs, outputs, details are JSON), anything else as a string, null as null. */
    private static JsonNode jsonOrText(String text) {
        if (text == null) {
            return JSON.nullNode();
        }
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            return JSON.getNodeFactory().textNode(text);
        }
    }

    /** Reads one archive record (export, tests). */
    public static JsonNode read(String json) throws java.io.IOException {
        return JSON.readTree(json);
    }
}
