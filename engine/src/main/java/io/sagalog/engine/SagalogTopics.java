package io.sagalog.engine;

import io.sagalog.schemas.TopicNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the topics Sagalog writes to, when they are missing. Existing topics are checked, never recreated. */
public final class SagalogTopics {
    private SagalogTopics() {}

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SagalogTopics.class);

    /**
     * The broker stamps every control record with its append time: the engine decides at the time of the record it
     * reads (so a replay decides the same), and that time must not depend on the clock of whoever wrote the record.
     */
    static final Map<String, String> CONTROL_CONFIG = Map.of("message.timestamp.type", "LogAppendTime");

    /** What {@link #ensure} did: the topics it created, and what it found wrong with the ones that existed. */
    public record Outcome(List<String> created, List<String> problems) {}

    /** Control, journal and archive topics, and one step topic per participant named in the catalog. */
    public static Set<String> required(TopicNames topics, DefinitionCatalog catalog) {
        Set<String> names = new TreeSet<>();
        names.add(topics.control().name());
        names.add(topics.journal().name());
        names.add(topics.archive());
        for (Definition d : catalog.all()) {
            d.steps().forEach(s -> names.add(topics.steps(s.participant()).name()));
        }
        return names;
    }

    /**
     * Every topic a deployment needs, with its partitions, replication factor and configs, in a stable order:
     * the registry topics, then control, journal and the step topics of the catalog's definitions.
     */
    public static List<NewTopic> plan(TopicNames topics, DefinitionCatalog catalog, TopicSettings settings) {
        String minIsr = Integer.toString(settings.minInsyncReplicas());
        List<NewTopic> plan = new ArrayList<>();
        for (String name : List.of(topics.definitions().name(), topics.participants().name())) {
            // Registries: one partition keeps their order; compaction keeps the latest value per key forever.
            plan.add(new NewTopic(name, 1, settings.replicationFactor()).configs(Map.of("cleanup.policy", "compact",
                    "min.insync.replicas", minIsr)));
        }
        for (String name : required(topics, catalog)) {
            Map<String, String> configs = new LinkedHashMap<>();
            configs.put("min.insync.replicas", minIsr);
            if (name.equals(topics.control().name())) {
                configs.putAll(CONTROL_CONFIG);
            }
            if (name.equals(topics.journal().name()) && settings.journalRetention() != null) {
                // The journal is the audit trail: kept by time, never compacted away, for as long as asked.
                configs.put("retention.ms", Long.toString(settings.journalRetention().toMillis()));
            }
            if (name.equals(topics.archive())) {
                // Expired transactions: kept by time for Kafka Connect to ship (never compacted: one record each).
                configs.put("retention.ms", Long.toString(settings.archiveRetention().toMillis()));
            }
            plan.add(new NewTopic(name, settings.partitions(), settings.replicationFactor()).configs(configs));
        }
        return plan;
    }

    /**
     * Creates the step topics a definition needs that do not exist yet, with as many partitions and copies as the
     * control log (a definition registered at run time must never make the engine write to a missing topic).
     */
    public static List<String> ensureStepTopics(Admin admin, TopicNames topics, Definition definition)
            throws InterruptedException {
        try {
            String controlTopic = topics.control().name();
            var control = admin.describeTopics(List.of(controlTopic)).allTopicNames().get().get(controlTopic);
            int partitions = control.partitions().size();
            short replication = (short) control.partitions().get(0).replicas().size();
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (String name : new TreeSet<>(definition.steps().stream()
                    .map(s -> topics.steps(s.participant()).name()).toList())) {
                if (!existing.contains(name)) {
                    missing.add(new NewTopic(name, partitions, replication).configs(Map.of("min.insync.replicas",
                            Integer.toString(new TopicSettings(partitions, replication, null).minInsyncReplicas()))));
                }
            }
            return create(admin, missing);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create the step topics of " + definition.name() + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    /** With one copy of each partition and the broker's journal retention: tests on one broker. */
    public static List<String> ensure(Admin admin, DefinitionCatalog catalog, int partitions, short replication)
            throws InterruptedException {
        return ensure(admin, TopicNames.DEFAULT, catalog, new TopicSettings(partitions, replication, null)).created();
    }

    /**
     * Creates the missing topics of {@link #plan}, and checks the existing ones against it: a topic with fewer copies
     * than asked, or a journal kept shorter than asked, is a problem (logged, one WARN line each, and returned for
     * the cluster health). Existing topics are never recreated; the only change made to one is an extension of the
     * journal's retention where the topic does not set its own (extending never deletes anything).
     */
    public static Outcome ensure(Admin admin, TopicNames topics, DefinitionCatalog catalog, TopicSettings settings)
            throws InterruptedException {
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> plan = plan(topics, catalog, settings);
            List<NewTopic> missing = plan.stream().filter(t -> !existing.contains(t.name())).toList();
            if (existing.contains(topics.control().name())) {
                stampControlLogByBroker(admin, topics.control().name());
            }
            List<String> problems = new ArrayList<>(TopicChecks.check(admin, topics, plan.stream()
                    .filter(t -> existing.contains(t.name())).toList(), settings));
            problems.forEach(p -> log.warn("{}", p));
            return new Outcome(create(admin, missing), problems);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create Sagalog's topics: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Creates the topics; one another instance created meanwhile is not an error. @return the ones created now */
    static List<String> create(Admin admin, List<NewTopic> topics) throws InterruptedException, ExecutionException {
        List<String> created = new ArrayList<>();
        for (var entry : admin.createTopics(topics).values().entrySet()) {
            try {
                entry.getValue().get();
                created.add(entry.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        created.sort(null);
        return created;
    }

    /** A control log created before the engine decided at record time: set its timestamps to the broker's. */
    private static void stampControlLogByBroker(Admin admin, String control) throws InterruptedException {
        var resource = new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, control);
        var op = new org.apache.kafka.clients.admin.AlterConfigOp(new org.apache.kafka.clients.admin.ConfigEntry(
                "message.timestamp.type", "LogAppendTime"), org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET);
        try {
            admin.incrementalAlterConfigs(new HashMap<>(Map.of(resource, List.of(op)))).all().get();
        } catch (ExecutionException e) {
            log.warn("could not set message.timestamp.type=LogAppendTime on {} ({}); records keep their writers' "
                    + "timestamps", control, e.getCause().toString());
        }
    }
}
