package io.sagalog.app.config;

import java.nio.file.Path;

/** Where an option's value came from when it was not given as a flag. */
public sealed interface Origin {

    /** For messages: the setting as it was written, and where, e.g. {@code SAGALOG_PORT=abc (environment)}. */
    String setting();

    /** For {@code sagalog config print}: where, without the value. */
    String where();

    /** An environment variable. */
    record Environment(String name, String value) implements Origin {
        @Override
        public String setting() {
            return name + "=" + value + " (environment)";
        }

        @Override
        public String where() {
            return "environment " + name;
        }
    }

    /** A line (or, for a repeatable option, the first of several lines) of a {@code --config} file. */
    record File(Path path, int line, String key, String value) implements Origin {
        @Override
        public String setting() {
            return key + "=" + value + " (" + path + " line " + line + ")";
        }

        @Override
        public String where() {
            return "file " + path + " line " + line;
        }
    }
}
