package io.sagalog.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;

/** Compares topics that exist with what {@link SagalogTopics#plan} asks for. */
public final class TopicChecks {
    private TopicChecks() {}

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TopicChecks.class);

    /**
     * One existing topic as the cluster has it.
     *
     * @param replicationFactor the fewest copies any of its partitions has
     * @param configs the topic's effective configs (set on the topic or inherited), with where each came from
     */
    public record Existing(String name, int partitions, int replicationFactor, Map<String, ConfigEntry> configs) {
        public String config(String key) {
            ConfigEntry e = configs.get(key);
            return e == null ? null : e.value();
        }

        /** Whether the topic sets {@code key} itself rather than inheriting the broker's value. */
        public boolean setsItself(String key) {
            ConfigEntry e = configs.get(key);
            return e != null && e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG;
        }
    }

    /** The topics among {@code names} that exist, by name. */
    public static Map<String, Existing> describe(Admin admin, java.util.Collection<String> names)
            throws InterruptedException, ExecutionException {
        java.util.Set<String> all = admin.listTopics().names().get();
        List<String> present = names.stream().filter(all::contains).toList();
        Map<String, Existing> out = new TreeMap<>();
        if (present.isEmpty()) {
            return out;
        }
        var descriptions = admin.describeTopics(present).allTopicNames().get();
        List<ConfigResource> resources = present.stream()
                .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
        var configs = admin.describeConfigs(resources).all().get();
        for (String name : present) {
            var d = descriptions.get(name);
            int factor = d.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
            Map<String, ConfigEntry> entries = new TreeMap<>();
            configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name)).entries()
                    .forEach(e -> entries.put(e.name(), e));
            out.put(name, new Existing(name, d.partitions().size(), factor, entries));
        }
        return out;
    }

    /**
     * Checks the existing topics of a plan: fewer copies or a lower {@code min.insync.replicas} than asked, and a
     * journal or archive kept shorter than asked, are problems, one sentence each. A journal or archive that inherits
     * a shorter retention from the broker gets the asked one set on the topic (extending a retention deletes nothing).
     */
    static List<String> check(Admin admin, io.sagalog.schemas.TopicNames topics, List<NewTopic> planned,
                              TopicSettings settings)
            throws InterruptedException, ExecutionException {
        Map<String, Existing> existing = describe(admin, planned.stream().map(NewTopic::name).toList());
        List<String> problems = new ArrayList<>();
        for (NewTopic want : planned) {
            Existing have = existing.get(want.name());
            if (have == null) {
                continue;
            }
            if (have.replicationFactor() < want.replicationFactor()) {
                problems.add("topic " + have.name() + " has replication factor " + have.replicationFactor()
                        + ", fewer than the " + want.replicationFactor() + " asked (--replication-factor): a lost broker "
                        + "can lose records already acknowledged; add replicas with kafka-reassign-partitions");
            }
            String minIsr = have.config("min.insync.replicas");
            int wantIsr = Integer.parseInt(want.configs().get("min.insync.replicas"));
            if (minIsr != null && Integer.parseInt(minIsr) < wantIsr && have.replicationFactor() >= wantIsr) {
                problems.add("topic " + have.name() + " has min.insync.replicas " + minIsr + ", fewer than the "
                        + wantIsr + " its replication factor calls for: an append acknowledged by one broker only "
                        + "is lost with it");
            }
            String problem = null;
            if (have.name().equals(topics.journal().name()) && settings.journalRetention() != null) {
                problem = retention(admin, have, settings.journalRetention(), "--journal-retention",
                        "the audit trail ends sooner than expected");
            } else if (have.name().equals(topics.archive()) && settings.archiveRetention() != null) {
                problem = retention(admin, have, settings.archiveRetention(), "--archive-retention",
                        "expired transactions leave the archive sooner than expected");
            }
            if (problem != null) {
                problems.add(problem);
            }
        }
        return problems;
    }

    /** The journal's or the archive's retention: raised when inherited from the broker, reported when set shorter. */
    private static String retention(Admin admin, Existing topic, Duration wanted, String flag, String consequence)
            throws InterruptedException {
        String value = topic.config("retention.ms");
        long have = value == null ? -1 : Long.parseLong(value);
        if (have < 0 || have >= wanted.toMillis()) {
            return null; // kept forever or at least as long as asked
        }
        if (topic.setsItself("retention.ms")) {
            return "topic " + topic.name() + " keeps records " + TopicSettings.show(Duration.ofMillis(have)) + " (retention.ms set on "
                    + "the topic), shorter than the " + TopicSettings.show(wanted) + " asked (" + flag + "): " + consequence;
        }
        var resource = new ConfigResource(ConfigResource.Type.TOPIC, topic.name());
        var op = new AlterConfigOp(new ConfigEntry("retention.ms", Long.toString(wanted.toMillis())),
                AlterConfigOp.OpType.SET);
        try {
            admin.incrementalAlterConfigs(new HashMap<>(Map.of(resource, List.of(op)))).all().get();
            log.info("topic {} inherited the broker's retention of {}; set to {} ({})", topic.name(),
                    TopicSettings.show(Duration.ofMillis(have)), TopicSettings.show(wanted), flag);
            return null;
        } catch (ExecutionException e) {
            return "topic " + topic.name() + " keeps records " + TopicSettings.show(Duration.ofMillis(have)) + " (the broker's default), "
                    + "shorter than the " + TopicSettings.show(wanted) + " asked (" + flag + "), and setting it failed: "
                    + e.getCause().getMessage();
        }
    }
}
