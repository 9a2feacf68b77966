package io.sagalog.engine;

import java.util.Collection;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/** Every known definition, by name and version. Immutable: a new catalog replaces an old one. */
public final class DefinitionCatalog {
    private final Map<String, NavigableMap<Integer, Definition>> byName;

    private DefinitionCatalog(Map<String, NavigableMap<Integer, Definition>> byName) {
        this.byName = byName;
    }

    public static DefinitionCatalog of(Collection<Definition> definitions) {
        Map<String, NavigableMap<Integer, Definition>> byName = new TreeMap<>();
        for (Definition d : definitions) {
            Definition previous = byName.computeIfAbsent(d.name(), n -> new TreeMap<>()).put(d.version(), d);
            if (previous != null) {
                throw new IllegalArgumentException("definition " + d.name() + " version " + d.version()
                        + " is given twice");
            }
        }
        byName.replaceAll((n, versions) -> java.util.Collections.unmodifiableNavigableMap(versions));
        return new DefinitionCatalog(java.util.Collections.unmodifiableMap(byName));
    }

    /** The newest version of the named definition: what new transactions start on. */
    public Optional<Definition> latest(String name) {
        NavigableMap<Integer, Definition> versions = byName.get(name);
        return versions == null ? Optional.empty() : Optional.of(versions.lastEntry().getValue());
    }

    /** One exact version: what a running transaction keeps using. */
    public Optional<Definition> find(String name, int version) {
        NavigableMap<Integer, Definition> versions = byName.get(name);
        return versions == null ? Optional.empty() : Optional.ofNullable(versions.get(version));
    }

    public Collection<String> names() {
        return new TreeSet<>(byName.keySet());
    }

    public Collection<Definition> all() {
        return byName.values().stream().flatMap(v -> v.values().stream()).toList();
    }
}
