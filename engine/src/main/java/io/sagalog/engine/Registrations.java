package io.sagalog.engine;

import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What the engine needs to know from outside itself: the definitions, and which participants are registered (a step
 * of an unregistered participant waits, parked, until it is). The registry provides it in a node; tests give a fixed
 * catalog. Asked on the stream threads, so each call must be quick and must not block.
 */
public interface Registrations {
    /** The current definitions: an immutable snapshot per call (versions never change once stored). */
    DefinitionCatalog definitions();

    boolean isRegistered(String participant);

    /** These definitions, every participant counting as registered. */
    static Registrations fixed(DefinitionCatalog catalog) {
        return of(() -> catalog, participant -> true);
    }

    static Registrations of(Supplier<DefinitionCatalog> definitions, Predicate<String> registered) {
        return new Registrations() {
            @Override
            public DefinitionCatalog definitions() {
                return definitions.get();
            }

            @Override
            public boolean isRegistered(String participant) {
                return registered.test(participant);
            }
        };
    }
}
