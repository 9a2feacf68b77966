package io.sagalog.app;

import io.sagalog.engine.Definition;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.DefinitionJson;
import io.sagalog.engine.registry.Registry;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The definitions a node is started with ({@code --definition}, the demo of {@code sagalog dev}). */
final class BuiltInDefinitions {
    private static final Logger log = LoggerFactory.getLogger(BuiltInDefinitions.class);

    private BuiltInDefinitions() {}

    /**
     * Registers each one unless the registry already has the same content as its newest version. Instances starting
     * at the same moment may each register it: the registry's log gives each its own version, of the same content.
     */
    static void register(Registry registry, DefinitionCatalog builtIns) throws Exception {
        for (Definition d : builtIns.all()) {
            var latest = registry.definitions().latest(d.name());
            if (latest.isEmpty() || !DefinitionJson.sameContent(latest.get(), d)) {
                Definition stored = registry.registerDefinition(d.name(), DefinitionJson.write(d)).toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
                log.info("registered built-in definition {} as version {}", d.name(), stored.version());
            }
        }
    }
}
