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

    @Option(names = "--participant-allow", paramLabel = "CIDR", split = ",",
            description = "Participant URLs on these addresses may be registered although they are loopback, link-local "
                    + "or metadata addresses (refused otherwise), e.g. 127.0.0.1/32,10.0.0.0/8; repeatable. "
                    + "'sagalog dev' always allows loopback.")
    java.util.List<String> participantAllow = new java.util.ArrayList<>();

    /** The participant URL policy of --participant-allow (plus {@code extra}); a bad CIDR is a usage error. */
    io.sagalog.ingest.ParticipantUrls participantUrls(Object command, java.util.List<String> extra) {
        java.util.List<String> all = new java.util.ArrayList<>(extra);
        all.addAll(participantAllow);
        try {
            return io.sagalog.ingest.ParticipantUrls.allowing(all);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(command), "--participant-allow: " + e.getMessage());
        }
    }

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
