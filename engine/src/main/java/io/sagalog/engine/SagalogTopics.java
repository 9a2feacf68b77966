package io.sagalog.engine;

import io.sagalog.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the topics Sagalog writes to, when they are missing. Existing topics are left as they are. */
public final class SagalogTopics {
    private SagalogTopics() {}

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SagalogTopics.class);

    /**
     * The broker stamps every control record with its append time: the engine decides at the time of the record it
     * reads (so a replay decides the same), and that time must not depend on the clock of whoever wrote the record.
     */
    static final Map<String, String> CONTROL_CONFIG = Map.of("message.timestamp.type", "LogAppendTime");

    /** A control log created before the engine decided at record time: set its timestamps to the broker's. */
    private static void stampControlLogByBroker(Admin admin) throws InterruptedException {
        var resource = new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, Topics.CONTROL.name());
        var op = new org.apache.kafka.clients.admin.AlterConfigOp(new org.apache.kafka.clients.admin.ConfigEntry(
                "message.timestamp.type", "LogAppendTime"), org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET);
        try {
            admin.incrementalAlterConfigs(Map.of(resource, List.of(op))).all().get();
        } catch (ExecutionException e) {
            log.warn("could not set message.timestamp.type=LogAppendTime on {} ({}); records keep their writers' "
                    + "timestamps", Topics.CONTROL.name(), e.getCause().toString());
        }
    }

    /** Control and journal topics, and one step topic per participant named in the catalog. */
    public static Set<String> required(DefinitionCatalog catalog) {
        Set<String> names = new TreeSet<>();
        names.add(Topics.CONTROL.name());
        names.add(Topics.JOURNAL.name());
        for (Definition d : catalog.all()) {
            d.steps().forEach(s -> names.add(Topics.steps(s.participant()).name()));
        }
        return names;
    }

    /**
     * Creates the step topics a definition needs that do not exist yet, with as many partitions as the control log
     * (a definition registered at run time must never make the engine write to a missing topic).
     */
    public static List<String> ensureStepTopics(Admin admin, Definition definition) throws InterruptedException {
        try {
            var control = admin.describeTopics(List.of(Topics.CONTROL.name())).allTopicNames().get().get(Topics.CONTROL.name());
            int partitions = control.partitions().size();
            short replication = (short) control.partitions().get(0).replicas().size();
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (String name : new TreeSet<>(definition.steps().stream()
                    .map(s -> Topics.steps(s.participant()).name()).toList())) {
                if (!existing.contains(name)) {
                    missing.add(new NewTopic(name, partitions, replication));
                }
            }
            List<String> created = new ArrayList<>();
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get();
                    created.add(entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            return created;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create the step topics of " + definition.name() + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    /** @return the topics that were created now */
    public static List<String> ensure(Admin admin, DefinitionCatalog catalog, int partitions, short replication)
            throws InterruptedException {
        List<String> created = new ArrayList<>();
        try {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (String name : List.of(Topics.DEFINITIONS.name(), Topics.PARTICIPANTS.name())) {
                if (!existing.contains(name)) {
                    // Registries: one partition keeps their order; compaction keeps the latest value per key forever.
                    missing.add(new NewTopic(name, 1, replication).configs(Map.of("cleanup.policy", "compact",
                            "min.insync.replicas", replication > 1 ? "2" : "1")));
                    created.add(name);
                }
            }
            for (String name : required(catalog)) {
                if (!existing.contains(name)) {
                    // The journal is the audit trail: kept by time, never compacted away.
                    Map<String, String> configs = new java.util.HashMap<>(
                            Map.of("min.insync.replicas", replication > 1 ? "2" : "1"));
                    if (name.equals(Topics.CONTROL.name())) {
                        configs.putAll(CONTROL_CONFIG);
                    }
                    missing.add(new NewTopic(name, partitions, replication).configs(configs));
                    created.add(name);
                }
            }
            if (existing.contains(Topics.CONTROL.name())) {
                stampControlLogByBroker(admin);
            }
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    created.remove(entry.getKey()); // another instance created it first
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create Sagalog's topics: " + e.getCause().getMessage(), e.getCause());
        }
        return created;
    }
}
