package io.sagalog.http.auth;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The bearer tokens a server accepts and the roles each one grants; immutable.
 *
 * <p>File format, one token a line: {@code <token> <role>[,<role>...]}; {@code #} starts a comment. Tokens are
 * secrets, so nothing here puts one into a message or {@link #toString()}: error messages name line numbers and
 * lengths instead, and {@link BearerAuth} names callers by a digest prefix.
 */
public final class Tokens {
    /** Short tokens can be guessed; 16 characters of base64 is already 96 bits. */
    public static final int MIN_TOKEN_LENGTH = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A token with its digest computed once, so a lookup only hashes the presented token. */
    private record Entry(String token, byte[] digest, Set<Role> roles) {}

    private final List<Entry> entries;

    private Tokens(Map<String, Set<Role>> byToken) {
        List<Entry> list = new ArrayList<>();
        byToken.forEach((token, roles) -> list.add(new Entry(token, sha256(token),
                Collections.unmodifiableSet(EnumSet.copyOf(roles)))));
        this.entries = List.copyOf(list);
    }

    /**
     * Parses a tokens file, reporting every bad line at once.
     *
     * @param sourceName how the file is named in messages, usually its path
     * @throws InvalidTokenFileException listing each problem as {@code <sourceName> line N: ...}, or saying there
     *     are no tokens (a server with no tokens would refuse everything, which is never what was meant)
     */
    public static Tokens parse(List<String> lines, String sourceName) {
        Map<String, Set<Role>> byToken = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            int number = i + 1;
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (content.isEmpty()) {
                continue;
            }
            String where = sourceName + " line " + number + ": ";
            String[] fields = content.split("[ \\t]+");
            String token = fields[0];
            List<String> lineProblems = new ArrayList<>();
            if (token.length() < MIN_TOKEN_LENGTH) {
                lineProblems.add("the token is " + token.length() + " characters; tokens must have at least "
                        + MIN_TOKEN_LENGTH + " (sagalog dev prints good ones)");
            }
            Set<Role> roles = EnumSet.noneOf(Role.class);
            if (fields.length == 1) {
                lineProblems.add("no roles after the token; write '<token> <role>[,<role>...]' with roles from: "
                        + Role.validNames());
            } else {
                for (String name : fields[1].split(",", -1)) {
                    try {
                        roles.add(Role.parse(name));
                    } catch (IllegalArgumentException e) {
                        lineProblems.add((name.isBlank() ? "an empty role in the list"
                                : "unknown role " + shownSafely(name)) + "; valid roles: " + Role.validNames());
                    }
                }
            }
            if (fields.length > 2) {
                lineProblems.add((fields.length - 2) + " extra field(s) after the roles; write roles separated by"
                        + " commas without spaces, and start comments with #");
            }
            Integer earlier = lineOf.putIfAbsent(token, number);
            if (earlier != null) {
                lineProblems.add("the token is already listed on line " + earlier + "; list each token once with all"
                        + " its roles");
            }
            lineProblems.forEach(p -> problems.add(where + p));
            if (lineProblems.isEmpty()) {
                byToken.put(token, roles);
            }
        }
        if (problems.isEmpty() && byToken.isEmpty()) {
            problems.add(sourceName + ": no tokens: every request would be refused; add lines"
                    + " '<token> <role>[,<role>...]' or run without --tokens");
        }
        if (!problems.isEmpty()) {
            throw new InvalidTokenFileException(problems);
        }
        return new Tokens(byToken);
    }

    /** A value in the role position may be a misplaced token (fields swapped), so long ones are not echoed. */
    private static String shownSafely(String name) {
        return name.length() < MIN_TOKEN_LENGTH ? "'" + name + "'"
                : "(a " + name.length() + "-character value, not shown in case it is a token)";
    }

    /**
     * Reads and parses a UTF-8 tokens file.
     *
     * @throws InvalidTokenFileException if the file is missing, unreadable or not valid (see {@link #parse})
     */
    public static Tokens load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidTokenFileException(file + ": no such tokens file; create it (sagalog dev prints one"
                    + " to start from) or fix the --tokens path", e);
        } catch (AccessDeniedException e) {
            throw new InvalidTokenFileException(file + ": the tokens file cannot be read (permission denied)", e);
        } catch (CharacterCodingException e) {
            throw new InvalidTokenFileException(file + ": the tokens file is not valid UTF-8 text", e);
        } catch (IOException e) {
            throw new InvalidTokenFileException(file + ": the tokens file cannot be read: " + e, e);
        }
        return parse(lines, file.toString());
    }

    /**
     * Fresh random tokens, one per role, for {@code sagalog dev}: a dev server is still reachable from the network,
     * so it gets real secrets rather than fixed well-known ones.
     */
    public static Tokens generate() {
        Map<String, Set<Role>> byToken = new LinkedHashMap<>();
        for (Role role : Role.values()) {
            byte[] bytes = new byte[24];
            RANDOM.nextBytes(bytes);
            byToken.put(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), EnumSet.of(role));
        }
        return new Tokens(byToken);
    }

    /** The file format, with a header, so generated tokens can be saved and reused with {@code --tokens FILE}. */
    public String toFileText() {
        StringBuilder out = new StringBuilder()
                .append("# sagalog bearer tokens: '<token> <role>[,<role>...]', one a line; roles: ")
                .append(Role.validNames()).append('\n')
                .append("# These are secrets: keep this file private. Use it with --tokens FILE.\n");
        for (Entry e : entries) {
            out.append(e.token()).append(' ').append(roleNames(e.roles())).append('\n');
        }
        return out.toString();
    }

    /**
     * The roles of a token, or empty if it is not known. Every stored token is compared, with a constant-time
     * comparison of digests, so the response time does not tell an attacker how close a guess was.
     */
    public Optional<Set<Role>> rolesOf(String token) {
        if (token == null) {
            return Optional.empty();
        }
        byte[] digest = sha256(token);
        Set<Role> found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.digest(), digest)) {
                found = e.roles();
            }
        }
        return Optional.ofNullable(found);
    }

    /** For printing tokens at start (e.g. by {@code sagalog dev}): the first token granting each role. */
    public Map<Role, String> firstTokenPerRole() {
        Map<Role, String> first = new EnumMap<>(Role.class);
        for (Entry e : entries) {
            e.roles().forEach(role -> first.putIfAbsent(role, e.token()));
        }
        return Collections.unmodifiableMap(first);
    }

    /** How many tokens there are; the tokens themselves are never shown. */
    @Override
    public String toString() {
        return "Tokens[" + entries.size() + (entries.size() == 1 ? " token]" : " tokens]");
    }

    /** A name for the holder of a token that is safe to log: a short prefix of its SHA-256, never the token. */
    static String actorName(String token) {
        return "token:" + HexFormat.of().formatHex(sha256(token)).substring(0, 6);
    }

    static String roleNames(Set<Role> roles) {
        return roles.stream().map(Role::wireName).collect(Collectors.joining(","));
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
