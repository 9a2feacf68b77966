package io.sagalog.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a definition from JSON and checks every rule, reporting each problem it finds (not only the first):
 *
 * <pre>{@code
 * {"name": "trip-booking", "deadline": "5m",
 *  "steps": [{"name": "flights", "participant": "flights", "action": "reserve", "compensation": "cancel",
 *             "kind": "compensatable", "timeout": "10s",
 *             "retry": {"maxAttempts": 3, "initialBackoff": "200ms", "multiplier": 2, "maxBackoff": "10s", "jitter": 0.2}}]}
 * }</pre>
 */
public final class DefinitionParser {
    /** Names become topic names and idempotency keys, so they are kept to a safe alphabet. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DEFAULT_DEADLINE = Duration.ofHours(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private DefinitionParser() {}

    public static Definition parse(String json, int version) throws InvalidDefinitionException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidDefinitionException(List.of("not valid JSON: " + e.getOriginalMessage()));
        }
        return parse(root, version);
    }

    public static Definition parse(JsonNode root, int version) throws InvalidDefinitionException {
        List<String> problems = new ArrayList<>();
        if (root == null || !root.isObject()) {
            throw new InvalidDefinitionException(List.of("a definition must be a JSON object"));
        }
        String name = name(root, "name", "name", problems);
        Duration deadline = duration(root, "deadline", "deadline", DEFAULT_DEADLINE, problems);
        List<StepDefinition> steps = new ArrayList<>();
        JsonNode stepsNode = root.get("steps");
        if (stepsNode == null || !stepsNode.isArray() || stepsNode.isEmpty()) {
            problems.add("steps: a definition needs a non-empty array of steps");
        } else {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < stepsNode.size(); i++) {
                StepDefinition step = step(stepsNode.get(i), "steps[" + i + "]", problems);
                if (step != null && step.name() != null && !seen.add(step.name())) {
                    problems.add("steps[" + i + "] (" + step.name() + "): the step name is used twice");
                }
                steps.add(step);
            }
            if (!steps.contains(null)) {
                checkKinds(steps, problems);
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidDefinitionException(problems);
        }
        return new Definition(name, version, steps, deadline);
    }

    private static StepDefinition step(JsonNode node, String at, List<String> problems) {
        if (node == null || !node.isObject()) {
            problems.add(at + ": a step must be a JSON object");
            return null;
        }
        String name = name(node, "name", at + ".name", problems);
        String where = name == null ? at : at + " (" + name + ")";
        String participant = name(node, "participant", where + ".participant", problems);
        String action = name(node, "action", where + ".action", problems);
        String compensation = node.hasNonNull("compensation")
                ? name(node, "compensation", where + ".compensation", problems) : null;
        StepKind kind = StepKind.COMPENSATABLE;
        if (node.hasNonNull("kind")) {
            try {
                kind = StepKind.valueOf(node.get("kind").asText().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add(where + ".kind: '" + node.get("kind").asText()
                        + "' is not a step kind; use compensatable, pivot or retriable");
            }
        }
        if (kind == StepKind.COMPENSATABLE && compensation == null) {
            problems.add(where + ": a compensatable step needs a compensation (or declare it pivot or retriable)");
        }
        Duration timeout = duration(node, "timeout", where + ".timeout", DEFAULT_TIMEOUT, problems);
        RetryPolicy retry = retry(node.get("retry"), where + ".retry", problems);
        return new StepDefinition(name, participant, action, compensation, kind, timeout, retry);
    }

    /** The rules of step kinds: at most one pivot, nothing compensatable after it, retriable steps only after it. */
    private static void checkKinds(List<StepDefinition> steps, List<String> problems) {
        int pivot = -1;
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).kind() == StepKind.PIVOT) {
                if (pivot >= 0) {
                    problems.add("steps[" + i + "] (" + steps.get(i).name() + "): a second pivot; a definition has at most one (the first is "
                            + steps.get(pivot).name() + ")");
                } else {
                    pivot = i;
                }
            }
        }
        boolean retriableSeen = false;
        for (int i = 0; i < steps.size(); i++) {
            StepDefinition s = steps.get(i);
            String where = "steps[" + i + "] (" + s.name() + ")";
            if (s.kind() == StepKind.COMPENSATABLE && pivot >= 0 && i > pivot) {
                problems.add(where + ": a compensatable step after the pivot " + steps.get(pivot).name()
                        + " could never be compensated; make it retriable");
            }
            if (s.kind() == StepKind.RETRIABLE) {
                if (pivot >= 0 && i < pivot) {
                    problems.add(where + ": a retriable step before the pivot " + steps.get(pivot).name()
                            + "; retriable steps come after it");
                }
                retriableSeen = true;
            } else if (retriableSeen && pivot < 0) {
                problems.add(where + ": a " + s.kind().jsonName()
                        + " step after a retriable one; without a pivot, retriable steps come last");
            }
        }
    }

    private static RetryPolicy retry(JsonNode node, String at, List<String> problems) {
        RetryPolicy d = RetryPolicy.DEFAULT;
        if (node == null || node.isNull()) {
            return d;
        }
        if (!node.isObject()) {
            problems.add(at + ": must be an object with maxAttempts, initialBackoff, multiplier, maxBackoff, jitter");
            return d;
        }
        int maxAttempts = d.maxAttempts();
        if (node.has("maxAttempts")) {
            if (!node.get("maxAttempts").canConvertToInt() || node.get("maxAttempts").asInt() < 1) {
                problems.add(at + ".maxAttempts: must be a whole number of at least 1");
            } else {
                maxAttempts = node.get("maxAttempts").asInt();
            }
        }
        double multiplier = d.multiplier();
        if (node.has("multiplier")) {
            if (!node.get("multiplier").isNumber() || node.get("multiplier").asDouble() < 1) {
                problems.add(at + ".multiplier: must be a number of at least 1");
            } else {
                multiplier = node.get("multiplier").asDouble();
            }
        }
        double jitter = d.jitter();
        if (node.has("jitter")) {
            double j = node.get("jitter").asDouble(-1);
            if (!node.get("jitter").isNumber() || j < 0 || j > 1) {
                problems.add(at + ".jitter: must be a number from 0 to 1");
            } else {
                jitter = j;
            }
        }
        Duration initial = duration(node, "initialBackoff", at + ".initialBackoff", d.initialBackoff(), problems);
        Duration max = duration(node, "maxBackoff", at + ".maxBackoff", d.maxBackoff(), problems);
        if (max.compareTo(initial) < 0) {
            problems.add(at + ".maxBackoff: must not be shorter than initialBackoff");
        }
        return new RetryPolicy(maxAttempts, initial, multiplier, max, jitter);
    }

    private static String name(JsonNode node, String field, String at, List<String> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            problems.add(at + ": required");
            return null;
        }
        if (!value.isTextual() || !NAME.matcher(value.asText()).matches()) {
            problems.add(at + ": '" + value.asText() + "' must be 1-100 letters, digits, '.', '_' or '-'");
            return null;
        }
        return value.asText();
    }

    private static Duration duration(JsonNode node, String field, String at, Duration fallback, List<String> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        try {
            Duration d = value.isIntegralNumber() ? Duration.ofMillis(value.asLong()) : Durations.parse(value.asText());
            if (d.isNegative() || d.isZero()) {
                problems.add(at + ": must be longer than zero");
                return fallback;
            }
            return d;
        } catch (IllegalArgumentException e) {
            problems.add(at + ": " + e.getMessage());
            return fallback;
        }
    }
}
