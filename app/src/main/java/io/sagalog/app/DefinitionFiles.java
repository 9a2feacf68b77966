package io.sagalog.app;

import io.sagalog.engine.Definition;
import io.sagalog.engine.DefinitionSchema;
import io.sagalog.engine.InvalidDefinitionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The definitions named by {@code --definition FILE} options, checked as registration checks them (the schema's fields
 * and the parser's rules); a file that cannot be read or parsed is a usage error.
 */
final class DefinitionFiles {
    private DefinitionFiles() {}

    static List<Definition> load(CommandLine command, List<Path> files) {
        List<Definition> all = new ArrayList<>();
        for (Path file : files) {
            try {
                all.add(DefinitionSchema.parse(Files.readString(file), 1));
            } catch (InvalidDefinitionException e) {
                throw new ParameterException(command, file + " is not a valid definition: "
                        + String.join("; ", e.problems()));
            } catch (IOException e) {
                throw new ParameterException(command, "--definition " + file + ": cannot read it ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        return all;
    }
}
