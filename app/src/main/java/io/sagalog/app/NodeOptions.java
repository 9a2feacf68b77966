package io.sagalog.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import picocli.CommandLine.Option;

/** Options every command that runs an engine node shares ({@code dev}, {@code engine}), beyond {@link ApiOptions}. */
public final class NodeOptions extends ApiOptions {

    /** Kafka Streams processing guarantees, spelled as Kafka spells them. */
    public enum Guarantee { at_least_once, exactly_once_v2 }

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of topics created when missing (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--replication-factor", paramLabel = "N",
            description = "Copies of every partition of the topics created, the engine's internal ones included; "
                    + "min.insync.replicas is 2 from 3 copies on (default: the smaller of 3 and the number of brokers).")
    Short replicationFactor;

    @Option(names = "--journal-retention", defaultValue = "30d", paramLabel = "DURATION",
            description = "How long the journal (the audit trail) is kept (default: ${DEFAULT-VALUE}).")
    String journalRetention;

    @Option(names = "--standby-replicas", defaultValue = "1", paramLabel = "N",
            description = "Warm copies of each engine task on other instances, taking over at once when one dies; "
                    + "placed on another rack where client.rack is set (default: ${DEFAULT-VALUE}).")
    int standbyReplicas;

    /** Replication, retention and standby settings of these options. */
    ClusterSettings cluster(Object command) {
        if (replicationFactor != null && replicationFactor < 1) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(command),
                    "--replication-factor must be at least 1");
        }
        if (standbyReplicas < 0) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(command),
                    "--standby-replicas must be 0 or more");
        }
        return new ClusterSettings(replicationFactor == null ? 0 : replicationFactor,
                retention(command), standbyReplicas).withArchiveRetention(retention.archiveRetention(command));
    }

    private java.time.Duration retention(Object command) {
        try {
            return io.sagalog.engine.TopicSettings.parseRetention(journalRetention);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(command),
                    "--journal-retention must be a duration such as 30d or 12h (got '" + journalRetention + "')");
        }
    }

    /** --retain-completed, --retain-rolled-back, --retain-resolved, --expired-marker-retention, --archive-retention. */
    @picocli.CommandLine.Mixin
    RetentionOptions retention = new RetentionOptions();

    @Option(names = "--processing-guarantee", defaultValue = "at_least_once",
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Guarantee processingGuarantee;

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
        PrivateFiles.create(file, Base64.getEncoder().encodeToString(secret));
        return secret;
    }
}
