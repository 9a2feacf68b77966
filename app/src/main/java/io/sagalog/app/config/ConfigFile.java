package io.sagalog.app.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code --config} file: one {@code key=value} a line, the key an option's long name without the dashes
 * ({@code max-delivery-delay=2s}); blank lines and lines starting with {@code #} are skipped, and {@code " #"} starts
 * a comment after a value (so the output of {@code sagalog config print} reads back). Spaces around key and value
 * are dropped; nothing is unquoted or unescaped. A repeatable option may be given on several lines.
 *
 * @param path as given, for messages
 * @param entries the lines of each key, in file order
 */
public record ConfigFile(Path path, Map<String, List<Line>> entries) {

    /** One {@code key=value} line. */
    public record Line(int number, String key, String value) {}

    /** A file that cannot be read as {@code key=value} lines; the message names the file and the line. */
    public static final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message);
        }
    }

    public static ConfigFile read(Path path) throws Unreadable {
        List<String> lines;
        try {
            lines = Files.readAllLines(path);
        } catch (NoSuchFileException e) {
            throw new Unreadable("--config " + path + ": no such file");
        } catch (IOException e) {
            throw new Unreadable("--config " + path + ": cannot be read (" + e.getMessage() + ")");
        }
        return parse(path, lines);
    }

    static ConfigFile parse(Path path, List<String> lines) throws Unreadable {
        Map<String, List<Line>> entries = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = withoutComment(lines.get(i)).strip();
            if (text.isEmpty()) {
                continue;
            }
            int eq = text.indexOf('=');
            if (eq <= 0) {
                throw new Unreadable(path + " line " + (i + 1) + ": '" + text + "' is not key=value (e.g. port=8080)");
            }
            String key = text.substring(0, eq).strip();
            entries.computeIfAbsent(key, k -> new ArrayList<>()).add(new Line(i + 1, key, text.substring(eq + 1).strip()));
        }
        return new ConfigFile(path, entries);
    }

    private static String withoutComment(String line) {
        if (line.stripLeading().startsWith("#")) {
            return "";
        }
        int comment = line.indexOf(" #");
        int tab = line.indexOf("\t#");
        int at = comment < 0 ? tab : tab < 0 ? comment : Math.min(comment, tab);
        return at < 0 ? line : line.substring(0, at);
    }
}
