package io.sagalog.compensators;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A participant's handlers, by name. Immutable; built once and checked when built:
 *
 * <pre>{@code
 * Participant flights = Participant.named("flights")
 *         .action("reserve", call -> bookings.reserve(call.idempotencyKey(), call.input()))
 *         .compensation("cancel", call -> bookings.cancel(call.idempotencyKey()))
 *         .build();
 * }</pre>
 */
public final class Participant {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");

    private final String name;
    private final Map<String, ActionHandler> actions;
    private final Map<String, CompensationHandler> compensations;

    private Participant(String name, Map<String, ActionHandler> actions, Map<String, CompensationHandler> compensations) {
        this.name = name;
        this.actions = Map.copyOf(actions);
        this.compensations = Map.copyOf(compensations);
    }

    public static Builder named(String name) {
        return new Builder(checkName("participant", name));
    }

    public String name() {
        return name;
    }

    public Optional<ActionHandler> action(String handler) {
        return Optional.ofNullable(actions.get(handler));
    }

    public Optional<CompensationHandler> compensation(String handler) {
        return Optional.ofNullable(compensations.get(handler));
    }

    private static String checkName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " name '" + name
                    + "' must be 1-100 letters, digits, '.', '_' or '-', as in the definition");
        }
        return name;
    }

    public static final class Builder {
        private final String name;
        private final Map<String, ActionHandler> actions = new LinkedHashMap<>();
        private final Map<String, CompensationHandler> compensations = new LinkedHashMap<>();

        private Builder(String name) {
            this.name = name;
        }

        public Builder action(String handlerName, ActionHandler handler) {
            checkName("action", handlerName);
            if (actions.putIfAbsent(handlerName, java.util.Objects.requireNonNull(handler)) != null) {
                throw new IllegalArgumentException("participant " + name + " already has an action " + handlerName);
            }
            return this;
        }

        public Builder compensation(String handlerName, CompensationHandler handler) {
            checkName("compensation", handlerName);
            if (compensations.putIfAbsent(handlerName, java.util.Objects.requireNonNull(handler)) != null) {
                throw new IllegalArgumentException("participant " + name + " already has a compensation " + handlerName);
            }
            return this;
        }

        public Participant build() {
            if (actions.isEmpty()) {
                throw new IllegalArgumentException("participant " + name + " has no action handler");
            }
            return new Participant(name, actions, compensations);
        }
    }
}
