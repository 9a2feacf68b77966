package io.sagalog.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagalog.engine.Durations;
import io.sagalog.engine.registry.ParticipantInfo;
import io.sagalog.engine.registry.Registry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The body of {@code PUT /v1/participants/{name}} read into a registration, or every problem with it at once (each
 * {@code "<field>: what is wrong"}), checked against the URLs this node may call and the participants registered.
 */
final class ParticipantRegistration {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final int DEFAULT_MAX_CONCURRENCY = 16;

    /** What the body says: a registration to store, or why not. */
    sealed interface Read permits Valid, Invalid {}

    record Valid(ParticipantInfo info) implements Read {}

    record Invalid(List<String> problems) implements Read {}

    private final Registry registry;
    private final ParticipantUrls urls;

    ParticipantRegistration(Registry registry, ParticipantUrls urls) {
        this.registry = registry;
        this.urls = urls;
    }

    /** @param ownHost, ownPort this node's address as the caller reached it (a participant URL may not point here) */
    Read read(String name, JsonNode body, String ownHost, int ownPort) {
        List<String> problems = new ArrayList<>();
        if (!NAME.matcher(name).matches()) {
            problems.add("name: '" + shown(name) + "' must be 1-100 letters, digits, '.', '_' or '-'");
        }
        if (!body.isObject()) {
            return new Invalid(List.of("the body must be a JSON object {transport, url, timeout, maxConcurrency, healthUrl}"));
        }
        for (String field : List.of("transport", "url", "healthUrl", "timeout")) {
            if (body.hasNonNull(field) && !body.get(field).isTextual() && !(field.equals("timeout") && body.get(field).isIntegralNumber())) {
                problems.add(field + ": must be text" + (field.equals("timeout") ? " such as \"5s\" or a whole number of milliseconds" : ""));
            }
        }
        if (!problems.isEmpty()) {
            return new Invalid(problems);
        }
        String transport = body.path("transport").asText("http").toLowerCase(Locale.ROOT);
        ParticipantInfo.Transport t = null;
        if (transport.equals("http")) {
            t = ParticipantInfo.Transport.HTTP;
        } else if (transport.equals("kafka")) {
            t = ParticipantInfo.Transport.KAFKA;
        } else {
            problems.add("transport: '" + shown(transport) + "' must be http or kafka");
        }
        String url = body.hasNonNull("url") ? body.get("url").asText() : null;
        if (t == ParticipantInfo.Transport.HTTP) {
            checkUrl("url", url, true, problems);
        }
        String healthUrl = body.hasNonNull("healthUrl") ? body.get("healthUrl").asText() : null;
        checkUrl("healthUrl", healthUrl, false, problems);
        for (String field : List.of("url", "healthUrl")) {
            String value = field.equals("url") ? url : healthUrl;
            if (value != null && problems.stream().noneMatch(p -> p.startsWith(field + ":"))) {
                urls.problem(field, value, ownHost, ownPort).ifPresent(problems::add);
            }
        }
        Duration timeout = timeout(body, problems);
        if (problems.isEmpty()) {
            registry.collidingParticipant(name).ifPresent(other -> problems.add("name: '" + name + "' collides with the "
                    + "participant '" + other + "': Kafka topic names that differ only in '.' and '_' are the same "
                    + "topic; use '" + other + "' or another name"));
            if (registry.participant(name).isEmpty()
                    && registry.participants().size() >= Registry.MAX_REGISTERED_PARTICIPANTS) {
                problems.add("name: there are " + registry.participants().size() + " participants registered; at most "
                        + Registry.MAX_REGISTERED_PARTICIPANTS + " are allowed; re-register an existing name instead");
            }
        }
        int maxConcurrency = DEFAULT_MAX_CONCURRENCY;
        if (body.has("maxConcurrency")) {
            if (!body.get("maxConcurrency").isIntegralNumber() || !body.get("maxConcurrency").canConvertToInt()
                    || body.get("maxConcurrency").asInt() < 1
                    || body.get("maxConcurrency").asInt() > 10_000) {
                problems.add("maxConcurrency: must be a whole number from 1 to 10000");
            } else {
                maxConcurrency = body.get("maxConcurrency").asInt();
            }
        }
        if (!problems.isEmpty()) {
            return new Invalid(problems);
        }
        return new Valid(new ParticipantInfo(name, t, url, timeout, maxConcurrency, healthUrl));
    }

    /** {@code timeout} as text ("5s") or whole milliseconds, within the allowed range; the default when absent. */
    private static Duration timeout(JsonNode body, List<String> problems) {
        if (!body.hasNonNull("timeout")) {
            return DEFAULT_TIMEOUT;
        }
        try {
            JsonNode value = body.get("timeout");
            if (value.isIntegralNumber()) {
                if (!value.canConvertToLong()) {
                    throw new IllegalArgumentException(value.asText() + " ms is too long; allowed: "
                            + Durations.range(RegistryApi.TIMEOUT_MIN, RegistryApi.TIMEOUT_MAX));
                }
                return Durations.ofMillisWithin(value.asLong(), RegistryApi.TIMEOUT_MIN, RegistryApi.TIMEOUT_MAX);
            }
            return Durations.parseWithin(value.asText(), RegistryApi.TIMEOUT_MIN, RegistryApi.TIMEOUT_MAX);
        } catch (IllegalArgumentException e) {
            problems.add("timeout: " + e.getMessage());
            return DEFAULT_TIMEOUT;
        }
    }

    private static String shown(String text) {
        return text.length() <= 100 ? text : text.substring(0, 100) + "...";
    }

    private static void checkUrl(String field, String url, boolean required, List<String> problems) {
        if (url == null) {
            if (required) {
                problems.add(field + ": required for an http participant, e.g. http://hotels.internal:8080/sagalog");
            }
            return;
        }
        try {
            URI u = URI.create(url);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                problems.add(field + ": '" + shown(url) + "' must be an absolute http or https URL");
            }
        } catch (IllegalArgumentException e) {
            problems.add(field + ": '" + shown(url) + "' is not a URL");
        }
    }
}
