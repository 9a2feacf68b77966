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
 *
 * <p>Every value is bounded, so nothing registered can overflow a clock or a Kafka record later (the table is in
 * README.md, "Limits"): at most {@value #MAX_STEPS} steps naming at most {@value #MAX_PARTICIPANTS} participants;
 * {@code timeout} {@link #STEP_TIMEOUT_MIN} to {@link #STEP_TIMEOUT_MAX}; {@code deadline} {@link #DEADLINE_MIN} to
 * {@link #DEADLINE_MAX}; backoffs {@link #BACKOFF_MIN} to {@link #BACKOFF_MAX}; {@code maxAttempts} 1 to
 * {@value #MAX_ATTEMPTS}; {@code multiplier} 1 to {@value #MAX_MULTIPLIER}; {@code jitter} 0 to 1. A duration is a
 * text such as {@code "10s"} or a whole number of milliseconds.
 */
public final class DefinitionParser {
    /** Names become topic names and idempotency keys, so they are kept to a safe alphabet. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DEFAULT_DEADLINE = Duration.ofHours(1);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final int MAX_STEPS = 64;
    public static final int MAX_PARTICIPANTS = 32;
    public static final int MAX_ATTEMPTS = 100;
    public static final double MAX_MULTIPLIER = 10;
    public static final Duration STEP_TIMEOUT_MIN = Duration.ofMillis(1);
    public static final Duration STEP_TIMEOUT_MAX = Duration.ofHours(24);
    public static final Duration DEADLINE_MIN = Duration.ofSeconds(1);
    public static final Duration DEADLINE_MAX = Duration.ofDays(30);
    public static final Duration BACKOFF_MIN = Duration.ofMillis(1);
    public static final Duration BACKOFF_MAX = Duration.ofHours(1);

    private DefinitionParser() {}

    public static Definition parse(String json, int version) throws InvalidDefinitionException {
        return parse(tree(json), version);
    }

    /** The JSON of a definition; text that is not JSON is one problem. */
    static JsonNode tree(String json) throws InvalidDefinitionException {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidDefinitionException(List.of("not valid JSON: " + e.getOriginalMessage()));
        }
    }

    public static Definition parse(JsonNode root, int version) throws InvalidDefinitionException {
        List<String> problems = new ArrayList<>();
        if (root == null || !root.isObject()) {
            throw new InvalidDefinitionException(List.of("a definition must be a JSON object"));
        }
        String name = name(root, "name", "name", problems);
        Duration deadline = duration(root, "deadline", "deadline", DEFAULT_DEADLINE, DEADLINE_MIN, DEADLINE_MAX, problems);
        java.util.Map<TxStatus, Duration> retention = retention(root.get("retention"), problems);
        List<StepDefinition> steps = new ArrayList<>();
        JsonNode stepsNode = root.get("steps");
        if (stepsNode == null || !stepsNode.isArray() || stepsNode.isEmpty()) {
            problems.add("steps: a definition needs a non-empty array of steps");
        } else if (stepsNode.size() > MAX_STEPS) {
            problems.add("steps: " + stepsNode.size() + " steps; a definition has at most " + MAX_STEPS);
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
                long participants = steps.stream().map(StepDefinition::participant).distinct().count();
                if (participants > MAX_PARTICIPANTS) {
                    problems.add("steps: the steps name " + participants + " participants; a definition names at most "
                            + MAX_PARTICIPANTS + " (each one is a Kafka topic)");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidDefinitionException(problems);
        }
        return new Definition(name, version, steps, deadline, retention);
    }

    /** {@code "retention": {"COMPLETED": "1d", "ROLLED_BACK": "90d", "RESOLVED": "90d"}}: any of the three, or none. */
    private static java.util.Map<TxStatus, Duration> retention(JsonNode node, List<String> problems) {
        java.util.Map<TxStatus, Duration> out = new java.util.EnumMap<>(TxStatus.class);
        if (node == null || node.isNull()) {
            return out;
        }
        java.util.Map<String, TxStatus> names = Retention.overridable();
        if (!node.isObject()) {
            problems.add("retention: must be an object naming any of " + String.join(", ", names.keySet())
                    + " with a duration each, e.g. {\"COMPLETED\": \"1d\"}");
            return out;
        }
        node.fieldNames().forEachRemaining(field -> {
            TxStatus status = names.get(field);
            if (status == null) {
                problems.add("retention." + shown(field) + ": not a final status; name any of "
                        + String.join(", ", names.keySet()) + " (PARKED and unfinished transactions never expire)");
                return;
            }
            Duration d = duration(node, field, "retention." + field, null, Retention.MIN, Retention.MAX, problems);
            if (d != null) {
                out.put(status, d);
            }
        });
        return out;
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
                problems.add(where + ".kind: '" + shown(node.get("kind").asText())
                        + "' is not a step kind; use compensatable, pivot or retriable");
            }
        }
        if (kind == StepKind.COMPENSATABLE && compensation == null) {
            problems.add(where + ": a compensatable step needs a compensation (or declare it pivot or retriable)");
        }
        Duration timeout = duration(node, "timeout", where + ".timeout", DEFAULT_TIMEOUT, STEP_TIMEOUT_MIN,
                STEP_TIMEOUT_MAX, problems);
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
            JsonNode m = node.get("maxAttempts");
            if (!m.isIntegralNumber() || !m.canConvertToInt() || m.asInt() < 1 || m.asInt() > MAX_ATTEMPTS) {
                problems.add(at + ".maxAttempts: must be a whole number from 1 to " + MAX_ATTEMPTS);
            } else {
                maxAttempts = node.get("maxAttempts").asInt();
            }
        }
        double multiplier = d.multiplier();
        if (node.has("multiplier")) {
            double m = node.get("multiplier").asDouble();
            if (!node.get("multiplier").isNumber() || !(m >= 1 && m <= MAX_MULTIPLIER)) {
                problems.add(at + ".multiplier: must be a number from 1 to " + (int) MAX_MULTIPLIER);
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
        Duration initial = duration(node, "initialBackoff", at + ".initialBackoff", d.initialBackoff(), BACKOFF_MIN,
                BACKOFF_MAX, problems);
        Duration max = duration(node, "maxBackoff", at + ".maxBackoff", d.maxBackoff(), BACKOFF_MIN, BACKOFF_MAX, problems);
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
            problems.add(at + ": '" + shown(value.asText()) + "' must be 1-100 letters, digits, '.', '_' or '-'");
            return null;
        }
        return value.asText();
    }

    private static Duration duration(JsonNode node, String field, String at, Duration fallback, Duration min,
                                     Duration max, List<String> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        try {
            if (value.isIntegralNumber()) {
                if (!value.canConvertToLong()) {
                    throw new IllegalArgumentException(value.asText() + " ms is too long; allowed: "
                            + Durations.range(min, max));
                }
                return Durations.ofMillisWithin(value.asLong(), min, max);
            }
            if (!value.isTextual()) {
                throw new IllegalArgumentException("must be a duration such as \"10s\" or a whole number of milliseconds; "
                        + "allowed: " + Durations.range(min, max));
            }
            return Durations.parseWithin(value.asText(), min, max);
        } catch (IllegalArgumentException e) {
            problems.add(at + ": " + e.getMessage());
            return fallback;
        }
    }

    private static String shown(String text) {
        return text.length() <= 100 ? text : text.substring(0, 100) + "...";
    }
}
