package io.sagalog.engine.registry;

import io.sagalog.engine.Definition;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.DefinitionParser;
import io.sagalog.engine.InvalidDefinitionException;
import io.sagalog.schemas.AvroSerde;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.CallbackSecretRecord;
import io.sagalog.schemas.avro.DefinitionRecord;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The definitions topic replayed in order. Its single partition is the cluster's sequencer for definition versions:
 * a registration is a record keyed {@code <name>#<request id>}, and its version is one more than the highest version
 * of that name before it in the partition. Every reader replays the same order and so decides the same versions;
 * two registrations at the same moment land one after the other and can never share a version. (Request ids are
 * unique, so compaction removes none of these records and a later replay decides the same.) Records written before
 * (key {@code <name>@<version>}) keep the version they carry.
 *
 * <p>The topic also carries each deployment's callback secret fingerprint under reserved keys starting with
 * {@code #}, which no definition name can (names start with a letter or digit). The reader thread applies records;
 * writers and the node's start look results up, so every method holds the lock (each is short).
 */
final class DefinitionsLog {
    private static final Logger log = LoggerFactory.getLogger(DefinitionsLog.class);
    static final String SECRET_PREFIX = "#callback-secret:";
    static final AvroSerde<CallbackSecretRecord> SECRETS = AvroSerde.of(CallbackSecretRecord.class);

    /** Every definition by record key, in the order first read: the writer of a key finds its decided version here. */
    private final Map<String, Definition> byKey = new LinkedHashMap<>();
    /** The highest version decided per name, counting registrations that do not parse here too (all agree). */
    private final Map<String, Integer> highest = new HashMap<>();
    /** Per application id, every fingerprint published, first published first. */
    private final Map<String, LinkedHashMap<String, CallbackSecretRecord>> secrets = new HashMap<>();

    static String sequencedKey(String name, String requestId) {
        return name + "#" + requestId;
    }

    static String secretKey(String applicationId, String fingerprint) {
        return SECRET_PREFIX + applicationId + ":" + fingerprint;
    }

    /** Applies one record of the topic, in partition order. */
    synchronized void apply(String key, byte[] value) {
        if (key.startsWith(SECRET_PREFIX)) {
            applySecret(key, value);
            return;
        }
        if (value == null) {
            // Nothing writes these; one written by hand drops the definition, the versions after it stay as decided.
            byKey.remove(key);
            return;
        }
        DefinitionRecord record = Topics.DEFINITIONS.serde().decode(value);
        String name = record.getName();
        int version;
        if (key.indexOf('#') > 0) {
            version = highest.getOrDefault(name, 0) + 1;
        } else {
            version = record.getVersion();
        }
        highest.merge(name, version, Math::max);
        try {
            byKey.put(key, DefinitionParser.parse(record.getDefinition(), version));
        } catch (InvalidDefinitionException e) {
            log.error("registered definition {} version {} is not valid for this version of Sagalog: {}", name, version,
                    e.problems());
        }
    }

    private void applySecret(String key, byte[] value) {
        String applicationId = key.substring(SECRET_PREFIX.length(), key.lastIndexOf(':'));
        String fingerprint = key.substring(key.lastIndexOf(':') + 1);
        if (value == null) {
            // Deleting the record is how an operator retires a secret (docs/operations.md).
            Map<String, CallbackSecretRecord> known = secrets.get(applicationId);
            if (known != null) {
                known.remove(fingerprint);
            }
            return;
        }
        secrets.computeIfAbsent(applicationId, a -> new LinkedHashMap<>()).putIfAbsent(fingerprint, SECRETS.decode(value));
    }

    /** The definition decided for a registration record, once read. */
    synchronized Optional<Definition> decided(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    /** The deployment's fingerprint: the first one published for the application id, if any. */
    synchronized Optional<CallbackSecretRecord> secret(String applicationId) {
        Map<String, CallbackSecretRecord> known = secrets.get(applicationId);
        return known == null ? Optional.empty() : known.values().stream().findFirst();
    }

    /** A catalog of every readable version; a legacy record that repeats a version replaces it, as it always did. */
    synchronized DefinitionCatalog catalog() {
        Map<String, Definition> byVersion = new LinkedHashMap<>();
        byKey.values().forEach(d -> byVersion.put(d.name() + "@" + d.version(), d));
        return DefinitionCatalog.of(byVersion.values());
    }
}
