package io.sagalog.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Writes a definition as JSON that {@link DefinitionParser} reads back to an equal definition. */
public final class DefinitionJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DefinitionJson() {}

    public static ObjectNode tree(Definition d) {
        ObjectNode out = JSON.createObjectNode().put("name", d.name()).put("version", d.version())
                .put("deadline", d.deadline().toString());
        ArrayNode steps = out.putArray("steps");
        for (StepDefinition s : d.steps()) {
            ObjectNode n = steps.addObject().put("name", s.name()).put("participant", s.participant())
                    .put("action", s.action());
            if (s.compensation() != null) {
                n.put("compensation", s.compensation());
            }
            n.put("kind", s.kind().jsonName()).put("timeout", s.timeout().toString());
            n.putObject("retry").put("maxAttempts", s.retry().maxAttempts())
                    .put("initialBackoff", s.retry().initialBackoff().toString()).put("multiplier", s.retry().multiplier())
                    .put("maxBackoff", s.retry().maxBackoff().toString()).put("jitter", s.retry().jitter());
        }
        if (!d.retention().isEmpty()) {
            ObjectNode retention = out.putObject("retention");
            new java.util.TreeMap<>(d.retention()).forEach((status, keep) -> retention.put(status.name(), keep.toString()));
        }
        return out;
    }

    public static String write(Definition d) {
        return tree(d).toString();
    }

    /** Whether two definitions say the same thing, whatever their version numbers. */
    public static boolean sameContent(Definition a, Definition b) {
        return a.name().equals(b.name()) && a.steps().equals(b.steps()) && a.deadline().equals(b.deadline())
                && a.retention().equals(b.retention());
    }
}
