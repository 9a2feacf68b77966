package io.sagalog.app;

import io.sagalog.engine.TopicChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.NewTopic;

/** How {@code sagalog topics} prints a topic: what is needed, what exists, and where they differ. */
final class TopicLines {
    private TopicLines() {}

    static String needed(NewTopic t) {
        return String.format("%-32s partitions %-3d replication-factor %d  %s", t.name(), t.numPartitions(),
                t.replicationFactor(), configs(t.configs()));
    }

    static String existing(TopicChecks.Existing have, List<String> differences) {
        if (have == null) {
            return "MISSING";
        }
        return String.format("exists: partitions %d, replication-factor %d%s", have.partitions(),
                have.replicationFactor(), differences.isEmpty() ? ", as needed" : "; DIFFERS: " + String.join("; ", differences));
    }

    /** Where an existing topic falls short of what is needed (more copies or a longer retention are fine). */
    static List<String> differences(NewTopic want, TopicChecks.Existing have) {
        List<String> out = new ArrayList<>();
        if (have.partitions() != want.numPartitions()) {
            out.add("partitions " + have.partitions() + " (keys already spread this way; a change moves transactions)");
        }
        if (have.replicationFactor() < want.replicationFactor()) {
            out.add("replication-factor " + have.replicationFactor());
        }
        for (Map.Entry<String, String> e : want.configs().entrySet()) {
            String value = have.config(e.getKey());
            if (!acceptable(e.getKey(), e.getValue(), value)) {
                out.add(e.getKey() + "=" + value);
            }
        }
        return out;
    }

    private static boolean acceptable(String key, String wanted, String value) {
        if (value == null) {
            return false;
        }
        return switch (key) {
            case "retention.ms" -> Long.parseLong(value) < 0 || Long.parseLong(value) >= Long.parseLong(wanted);
            case "min.insync.replicas" -> Integer.parseInt(value) >= Integer.parseInt(wanted);
            default -> value.equals(wanted);
        };
    }

    private static String configs(Map<String, String> configs) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(configs).forEach((k, v) -> b.append(b.isEmpty() ? "" : " ").append(k).append('=').append(v));
        return b.toString();
    }
}
