package io.sagalog.http.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a bearer token may do. Roles are independent grants, not a hierarchy: a token listed with
 * {@code operator} alone cannot submit, so a tokens file says exactly what each caller may do. Which routes
 * need which role is decided where the routes are mounted, with {@link BearerAuth#require(Role...)}.
 */
public enum Role {
    /** Meant for read-only access (dashboards, status queries). */
    VIEWER,
    /** Meant for people and tools that act on running sagas. */
    OPERATOR,
    /** Meant for services that submit work to the engine. */
    SUBMITTER;

    /** The name used in tokens files and in error details. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads a wire name (case and surrounding blanks ignored, since these are typed by people).
     *
     * @throws IllegalArgumentException naming the valid roles, so the message alone tells how to fix the input
     */
    public static Role parse(String wireName) {
        String wanted = wireName == null ? "" : wireName.strip().toLowerCase(Locale.ROOT);
        for (Role role : values()) {
            if (role.wireName().equals(wanted)) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role '" + wireName + "'; valid roles: " + validNames());
    }

    /** "viewer, operator, submitter", for messages. */
    static String validNames() {
        return Arrays.stream(values()).map(Role::wireName).collect(Collectors.joining(", "));
    }
}
