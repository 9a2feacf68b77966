package io.sagalog.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --log-level} and {@code --log-format} of the commands that run a node ({@code dev}, {@code engine},
 * {@code ingest}). Applied to the shipped logging configuration at start; without them it stays as configured (so a
 * {@code -Dlogback.configurationFile} of one's own is not overridden).
 */
final class LogOptions {

    /** How each log line is written. */
    enum Format { text, json }

    @Option(names = "--log-level", paramLabel = "LEVEL",
            description = "Level of Sagalog's own lines: ERROR, WARN, INFO or DEBUG (default: INFO). Kafka's stay at WARN.")
    String level;

    @Option(names = "--log-format", paramLabel = "FORMAT",
            description = "text, or json: one JSON object a line (Logback's JsonEncoder), with txId, definition and "
                    + "step of a per-transaction line in its \"mdc\" field (default: text).")
    Format format;

    /** Sets the level and the format on the running logback; a level it does not know is a usage error. */
    void apply(CommandLine command) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // embedded with another SLF4J backend: its configuration is the embedder's
        }
        if (level != null) {
            Level parsed = Level.toLevel(level.trim(), null);
            if (parsed == null) {
                throw new CommandLine.ParameterException(command,
                        "--log-level must be ERROR, WARN, INFO, DEBUG or TRACE (got '" + level + "')");
            }
            context.getLogger("io.sagalog").setLevel(parsed);
        }
        if (format == Format.json) {
            useJson(context);
        }
    }

    /**
     * Gives every appender of the root logger that writes a stream Logback's JSON encoder instead of its own. Called at a
     * command's start, before the node's threads log.
     */
    static void useJson(LoggerContext context) {
        for (Iterator<Appender<ILoggingEvent>> it = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                .iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof OutputStreamAppender<ILoggingEvent> stream) {
                JsonEncoder json = new JsonEncoder();
                json.setContext(context);
                json.start();
                stream.setEncoder(json); // swapped in place: stopping a console appender would close stderr
            }
        }
    }
}
