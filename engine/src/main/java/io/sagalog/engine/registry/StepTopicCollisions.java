package io.sagalog.engine.registry;

import io.sagalog.engine.Definition;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.InvalidDefinitionException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every participant a definition names is a step topic, and Kafka treats '.' and '_' in topic names alike
 * ({@code sagalog.steps.a.b} and {@code sagalog.steps.a_b} collide): the checks that keep two participants from
 * sharing one topic, and the step topics under {@value Registry#MAX_STEP_TOPICS}.
 */
final class StepTopicCollisions {
    private StepTopicCollisions() {}

    /**
     * Refuses participant names of {@code d} that collide with each other or with a participant in use, and a
     * definition that would bring the step topics over {@value Registry#MAX_STEP_TOPICS}.
     */
    static void check(Definition d, DefinitionCatalog definitions, Set<String> participants)
            throws InvalidDefinitionException {
        Map<String, String> inUse = new HashMap<>();
        Set<String> topics = new HashSet<>();
        for (Definition other : definitions.all()) {
            other.steps().forEach(s -> {
                inUse.putIfAbsent(topicKey(s.participant()), s.participant());
                topics.add(s.participant());
            });
        }
        participants.forEach(p -> inUse.putIfAbsent(topicKey(p), p));
        List<String> problems = new ArrayList<>();
        Map<String, String> mine = new HashMap<>();
        for (int i = 0; i < d.steps().size(); i++) {
            String p = d.steps().get(i).participant();
            String at = "steps[" + i + "] (" + d.steps().get(i).name() + ").participant";
            String sibling = mine.putIfAbsent(topicKey(p), p);
            String other = inUse.get(topicKey(p));
            if (sibling != null && !sibling.equals(p)) {
                problems.add(at + ": '" + p + "' collides with '" + sibling + "' of this definition: Kafka topic names "
                        + "that differ only in '.' and '_' are the same topic; use one spelling");
            } else if (other != null && !other.equals(p)) {
                problems.add(at + ": '" + p + "' collides with the participant '" + other + "' already in use: Kafka topic "
                        + "names that differ only in '.' and '_' are the same topic; use '" + other + "' or another name");
            }
            topics.add(p);
        }
        if (topics.size() > Registry.MAX_STEP_TOPICS) {
            problems.add("steps: with this definition the definitions would name " + topics.size()
                    + " participants (step topics); at most " + Registry.MAX_STEP_TOPICS + " are allowed in all");
        }
        if (!problems.isEmpty()) {
            throw new InvalidDefinitionException(problems);
        }
    }

    /** A participant in use whose step topic would be the same as {@code name}'s, other than {@code name}. */
    static Optional<String> colliding(String name, DefinitionCatalog definitions, Set<String> participants) {
        String key = topicKey(name);
        Set<String> names = new TreeSet<>(participants);
        definitions.all().forEach(d -> d.steps().forEach(s -> names.add(s.participant())));
        return names.stream().filter(p -> !p.equals(name) && topicKey(p).equals(key)).findFirst();
    }

    private static String topicKey(String participant) {
        return participant.replace('.', '_');
    }
}
