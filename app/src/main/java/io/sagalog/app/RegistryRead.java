package io.sagalog.app;

import io.sagalog.engine.registry.Registry;
import io.sagalog.health.ComponentHealth;
import io.sagalog.health.ConsumerFactory;
import io.sagalog.schemas.KafkaClients;
import io.sagalog.schemas.TopicNames;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** The registry topic read in the background while the rest of a node starts (it ends within 30 s or fails). */
final class RegistryRead {
    private RegistryRead() {}

    static CompletableFuture<Registry> start(KafkaClients kafka, TopicNames names, ComponentHealth health,
                                             ConsumerFactory consumers) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Registry.start(kafka, names, Duration.ofSeconds(30), health, consumers);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading the registry", e);
            }
        });
    }

    /** What went wrong, without the {@link ExecutionException} of the future around it. */
    static Exception cause(Exception e) {
        return e instanceof ExecutionException x && x.getCause() instanceof Exception c ? c : e;
    }
}
