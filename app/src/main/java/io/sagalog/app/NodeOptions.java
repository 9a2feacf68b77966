package io.sagalog.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import picocli.CommandLine.Option;

/** Options every command that runs a node shares ({@code dev}, {@code engine}). */
public final class NodeOptions {

    /** Kafka Streams processing guarantees, spelled as Kafka spells them. */
    public enum Guarantee { at_least_once, exactly_once_v2 }

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port for ingest and console; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "HTTP address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of topics created when missing (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--processing-guarantee", defaultValue = "at_least_once",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Guarantee processingGuarantee;

    @Option(names = "--tokens", paramLabel = "FILE",
            description = "Bearer tokens and their roles, one a line: <token> <role>[,<role>...] with roles viewer, "
                    + "operator, submitter; '#' starts a comment.")
    Path tokens;

    /** The secret that signs callback tokens: read from the file, or created there on first use. */
    static byte[] callbackSecret(Path file) throws IOException {
        if (Files.exists(file)) {
            return Base64.getDecoder().decode(Files.readString(file).trim());
        }
        byte[] secret = SagalogNode.Options.randomSecret();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, Base64.getEncoder().encodeToString(secret));
        return secret;
    }
}
