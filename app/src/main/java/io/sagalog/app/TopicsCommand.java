package io.sagalog.app;

import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.SagalogTopics;
import io.sagalog.engine.TopicChecks;
import io.sagalog.engine.TopicSettings;
import io.sagalog.schemas.KafkaClients;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sagalog topics describe|create}: the topics a deployment needs, for clusters where applications may not
 * create topics (an administrator creates them, or runs {@code create} with the rights the engine lacks).
 */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Print or create the topics a Sagalog deployment needs.",
        subcommands = {TopicsCommand.Describe.class, TopicsCommand.Create.class})
public final class TopicsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** What both subcommands need: the cluster, and the layout the engine would create. */
    static final class Layout {
        @Spec(Spec.Target.MIXEE)
        CommandSpec spec;

        @Mixin
        io.sagalog.app.config.ConfigOption config;

        @Option(names = "--bootstrap", description = "Kafka bootstrap servers, e.g. localhost:9092.")
        String bootstrap;

        @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client properties (security.protocol, sasl.*, ssl.*, ...).")
        Path kafkaConfig;

        @Option(names = "--topic-prefix", defaultValue = "sagalog.", paramLabel = "PREFIX", description = "Prefix of every Sagalog topic (default: ${DEFAULT-VALUE}).")
        String topicPrefix;

        io.sagalog.schemas.TopicNames names() {
            return NodeOptions.topicNames(spec.commandLine(), topicPrefix);
        }

        @Option(names = "--partitions", defaultValue = "6", description = "Partitions of control, journal and step topics (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--replication-factor", paramLabel = "N", description = "Copies of every partition (default: the smaller of 3 and the number of brokers; 3 without --bootstrap).")
        Short replicationFactor;

        @Option(names = "--journal-retention", defaultValue = "30d", paramLabel = "DURATION", description = "How long the journal is kept (default: ${DEFAULT-VALUE}).")
        String journalRetention;

        @Option(names = "--definition", paramLabel = "FILE", split = ",", description = "A definition as JSON, whose step topics are needed too; repeatable, or separated by commas.")
        List<Path> definitionFiles = new ArrayList<>();

        @Option(names = "--application-id", defaultValue = "sagalog-engine", description = "The engines' --application-id, which names the Streams internal topics (default: ${DEFAULT-VALUE}).")
        String applicationId;

        KafkaClients kafka() {
            return NodeOptions.kafkaClients(spec.commandLine(), bootstrap, kafkaConfig);
        }

        TopicSettings settings(int brokers) {
            return settings(brokers, null);
        }

        TopicSettings settings(int brokers, KafkaClients kafka) {
            ClusterSettings cluster = new ClusterSettings(replicationFactor == null ? 0 : replicationFactor,
                    retention(), -1);
            if (replicationFactor != null && replicationFactor < 1) {
                throw new ParameterException(spec.commandLine(), "--replication-factor must be at least 1");
            }
            return kafka == null ? new TopicSettings(partitions, cluster.replicationFor(brokers), cluster.journalRetention())
                    : NodeTopics.settings(brokers, partitions, cluster, kafka);
        }

        private java.time.Duration retention() {
            try {
                return TopicSettings.parseRetention(journalRetention);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--journal-retention must be a duration such as 30d or 12h (got '" + journalRetention + "')");
            }
        }

        DefinitionCatalog definitions() {
            return DefinitionCatalog.of(DefinitionFiles.load(spec.commandLine(), definitionFiles));
        }

        void printInternalTopics(PrintWriter out, TopicSettings settings) {
            out.printf("%nThe engine's Kafka Streams internal topics (state changelogs) are named '%s-*' and created "
                    + "by the engine itself, with replication.factor %d and min.insync.replicas %d: grant its principal "
                    + "CREATE on topics with that prefix (or create them with these settings before the first start).%n",
                    applicationId, settings.replicationFactor(), settings.minInsyncReplicas());
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Print the topics a deployment needs (partitions, replication factor, configs) and, with "
                    + "--bootstrap, what exists of them. Exit code 0 when everything needed exists as needed, 3 if not.")
    static final class Describe implements Callable<Integer> {
        @Mixin
        Layout layout;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = layout.spec.commandLine().getOut();
            DefinitionCatalog catalog = layout.definitions();
            if (layout.bootstrap == null) {
                TopicSettings settings = layout.settings(3);
                List<NewTopic> plan = SagalogTopics.plan(layout.names(), catalog, settings);
                out.println("Topics a Sagalog deployment needs:");
                plan.forEach(t -> out.println("  " + TopicLines.needed(t)));
                layout.printInternalTopics(out, settings);
                out.flush();
                return 0;
            }
            KafkaClients kafka = layout.kafka();
            try (Admin admin = Admin.create(kafka.config(Map.of()))) {
                int brokers = NodeTopics.brokers(admin, kafka);
                TopicSettings settings = layout.settings(brokers, kafka);
                List<NewTopic> plan = SagalogTopics.plan(layout.names(), catalog, settings);
                Map<String, TopicChecks.Existing> existing = TopicChecks.describe(admin,
                        plan.stream().map(NewTopic::name).toList());
                out.printf("Topics a Sagalog deployment needs, and what the cluster at %s (%d broker%s) has:%n",
                        kafka.bootstrapServers(), brokers, brokers == 1 ? "" : "s");
                boolean allGood = true;
                for (NewTopic t : plan) {
                    out.println("  " + TopicLines.needed(t));
                    TopicChecks.Existing have = existing.get(t.name());
                    List<String> differences = have == null ? List.of() : TopicLines.differences(t, have);
                    out.println("      " + TopicLines.existing(have, differences));
                    allGood &= have != null && differences.isEmpty();
                }
                layout.printInternalTopics(out, settings);
                out.flush();
                return allGood ? 0 : 3;
            }
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create the topics a deployment needs that are missing, and check the existing ones. "
                    + "Exit code 0 when everything needed now exists as needed, 1 if an existing topic falls short.")
    static final class Create implements Callable<Integer> {
        @Mixin
        Layout layout;

        @Override
        public Integer call() throws Exception {
            if (layout.bootstrap == null) {
                throw new ParameterException(layout.spec.commandLine(), "create needs --bootstrap");
            }
            PrintWriter out = layout.spec.commandLine().getOut();
            KafkaClients kafka = layout.kafka();
            try (Admin admin = Admin.create(kafka.config(Map.of()))) {
                TopicSettings settings = layout.settings(NodeTopics.brokers(admin, kafka), kafka);
                SagalogTopics.Outcome outcome = SagalogTopics.ensure(admin, layout.names(), layout.definitions(), settings);
                for (NewTopic t : SagalogTopics.plan(layout.names(), layout.definitions(), settings)) {
                    out.println((outcome.created().contains(t.name()) ? "created  " : "exists   ") + TopicLines.needed(t));
                }
                outcome.problems().forEach(p -> out.println("PROBLEM  " + p));
                layout.printInternalTopics(out, settings);
                out.flush();
                return outcome.problems().isEmpty() ? 0 : 1;
            }
        }
    }
}
