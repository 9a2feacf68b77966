package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One wire boundary: above the engine (ingest, the console, the dispatcher and the Java SDK, the app) nothing builds
 * an Avro record or reaches into the engine's internals; they hand engine inputs to {@code io.sagalog.engine.Wire}, or
 * (the Java SDK, which does not depend on the engine) step results to {@code io.sagalog.schemas.StepResults}, which the
 * engine's codec calls too. A change of the wire format then touches the schemas and the engine's codec only.
 */
class WireBoundaryTest {
    private static final List<String> MODULES_ABOVE_THE_ENGINE = List.of("http", "ingest", "ops-console", "dispatcher",
            "participant-sdk", "app");
    private static final Pattern AVRO_BUILDER = Pattern.compile("\\b(ControlRecord|StepResult|TxRequested|OperatorCommand"
            + "|TimerFired|StepRequest|JournalRecord|ParticipantRecord|DefinitionRecord|TxStateRecord|CallbackSecretRecord"
            + "|JournalEvent)\\.newBuilder\\(");
    private static final Pattern ENGINE_INTERNALS = Pattern.compile("io\\.sagalog\\.engine\\.internal\\.");

    @Test
    void shouldBuildNoAvroRecordAndUseNoEngineInternalsAboveTheEngine() throws IOException {
        List<String> found = new ArrayList<>();
        int files = 0;
        for (String module : MODULES_ABOVE_THE_ENGINE) {
            Path sources = Path.of("..", module, "src", "main", "java");
            assertThat(sources).as("sources of %s", module).isDirectory();
            try (Stream<Path> all = Files.walk(sources)) {
                for (Path file : all.filter(p -> p.toString().endsWith(".java")).toList()) {
                    files++;
                    List<String> lines = Files.readAllLines(file);
                    for (int i = 0; i < lines.size(); i++) {
                        String line = lines.get(i);
                        if (AVRO_BUILDER.matcher(line).find() || ENGINE_INTERNALS.matcher(line).find()) {
                            found.add(sources.relativize(file) + ":" + (i + 1) + ": " + line.strip());
                        }
                    }
                }
            }
        }
        assertThat(files).as("source files scanned").isGreaterThan(50);
        assertThat(found).as("Avro builders or engine internals above the engine (use io.sagalog.engine.Wire or io.sagalog.schemas.StepResults)").isEmpty();
    }
}
