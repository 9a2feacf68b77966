package io.sagalog.engine.registry;

import io.sagalog.engine.Definition;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.DefinitionSchema;
import io.sagalog.engine.InvalidDefinitionException;
import io.sagalog.health.ComponentHealth;
import io.sagalog.health.ConsumerFactory;
import io.sagalog.health.SupervisedLoop;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.DefinitionRecord;
import io.sagalog.schemas.avro.ParticipantRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Definitions and participants as registered in the compacted topics {@code sagalog.definitions} and
 * {@code sagalog.participants}. Every instance reads both topics from the start into immutable snapshots, so any
 * instance can answer and the engine always finds the exact definition version a transaction is pinned to.
 * Writes return once this instance has read them back, so a client that registered something can use it at once.
 */
public final class Registry implements AutoCloseable {
    /** At most this many distinct participants over all definitions: each is a step topic with its own partitions. */
    public static final int MAX_STEP_TOPICS = 256;
    /** At most this many registered participants. */
    public static final int MAX_REGISTERED_PARTICIPANTS = 1024;

    /** The name of the reader loop in health and metrics. */
    public static final String COMPONENT = "registry";

    /** The deployment's topic names (--topic-prefix). */
    private final io.sagalog.schemas.TopicNames names;
    private final ComponentHealth health;
    private final RegistryReader reader;
    private volatile SupervisedLoop readerLoop;
    private final KafkaProducer<String, byte[]> producer;
    private final org.apache.kafka.clients.admin.Admin admin;
    private final Clock clock;

    private Registry(io.sagalog.schemas.KafkaClients kafka, io.sagalog.schemas.TopicNames names, Clock clock, ComponentHealth health,
                     ConsumerFactory consumers) {
        this.clock = clock;
        this.names = names;
        this.health = health;
        this.reader = new RegistryReader(kafka, names, consumers);
        Properties p = kafka.properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.admin = org.apache.kafka.clients.admin.Admin.create(kafka.config(Map.of()));
    }

    /** Reads both registry topics to their current end and keeps following them. The topics must exist. */
    public static Registry start(String bootstrapServers, Duration timeout) throws InterruptedException {
        return start(io.sagalog.schemas.KafkaClients.of(bootstrapServers), timeout, new io.sagalog.health.ComponentHealth(),
                io.sagalog.health.ConsumerFactory.KAFKA);
    }

    /**
     * @param health where the reader loop reports as {@value #COMPONENT}; it restarts itself when it fails
     * @param consumers creates the reader's consumer, again after each failure
     */
    public static Registry start(String bootstrapServers, Duration timeout, ComponentHealth health,
                                 ConsumerFactory consumers) throws InterruptedException {
        return start(io.sagalog.schemas.KafkaClients.of(bootstrapServers), timeout, health, consumers);
    }

    /** @param kafka the cluster and the client settings (security) every client of the registry uses */
    public static Registry start(io.sagalog.schemas.KafkaClients kafka, Duration timeout, ComponentHealth health,
                                 ConsumerFactory consumers) throws InterruptedException {
        return start(kafka, io.sagalog.schemas.TopicNames.DEFAULT, timeout, health, consumers);
    }

    /** @param names the deployment's topic names (--topic-prefix) */
    public static Registry start(io.sagalog.schemas.KafkaClients kafka, io.sagalog.schemas.TopicNames names, Duration timeout,
                                 ComponentHealth health, ConsumerFactory consumers) throws InterruptedException {
        Registry registry = new Registry(kafka, names, Clock.systemUTC(), health, consumers);
        registry.readerLoop = SupervisedLoop.start(COMPONENT, health, registry.reader::open);
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean loaded = false;
        while (!loaded && System.nanoTime() < deadline) {
            loaded = registry.reader.caughtUp();
            if (!loaded) {
                Thread.sleep(20);
            }
        }
        if (!loaded) {
            registry.close();
            throw new IllegalStateException("could not read the registry topics within " + timeout + " (reader "
                    + health.status(COMPONENT).describe() + ")");
        }
        return registry;
    }

    public DefinitionCatalog definitions() {
        return reader.definitions();
    }

    public Map<String, ParticipantInfo> participants() {
        return reader.participants();
    }

    public Optional<ParticipantInfo> participant(String name) {
        return Optional.ofNullable(reader.participants().get(name));
    }

    /**
     * Validates the definition (its schema's fields and the parser's rules) and stores it as the next version of its name, as the definitions topic's single
     * partition decides it ({@link DefinitionsLog}): registrations through any instances at the same moment each
     * get their own version. Completes with the version decided once this instance has read it back.
     *
     * @throws InvalidDefinitionException listing every problem; nothing is stored then
     */
    public CompletionStage<Definition> registerDefinition(String name, String json) throws InvalidDefinitionException {
        // Refuse a bad definition (an undeclared field too) before it takes a version.
        Definition checked = DefinitionSchema.parse(json, 1);
        if (!checked.name().equals(name)) {
            throw new InvalidDefinitionException(List.of("name: '" + checked.name() + "' does not match the name in the path '"
                    + name + "'"));
        }
        StepTopicCollisions.check(checked, definitions(), participants().keySet());
        // The record carries a guess (right unless another registration of the name comes first) for readers from
        // before the sequencing, which take the version from the record; this version decides by position.
        int version = definitions().latest(name).map(Definition::version).orElse(0) + 1;
        Definition parsed = new Definition(name, version, checked.steps(), checked.deadline());
        String key = DefinitionsLog.sequencedKey(name, java.util.UUID.randomUUID().toString());
        DefinitionRecord record = DefinitionRecord.newBuilder().setName(name).setVersion(version).setDefinition(json)
                .setRegisteredAtMillis(clock.millis()).build();
        CompletableFuture<Void> topics = CompletableFuture.runAsync(() -> {
            try {
                io.sagalog.engine.SagalogTopics.ensureStepTopics(admin, names, parsed);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
        return topics.thenCompose(ignored -> write(names.definitions().name(), key,
                        Topics.DEFINITIONS.serde().encode(record)))
                .thenApply(ignored -> reader.definitionsLog().decided(key).orElseThrow());
    }

    /** A registered participant whose step topic would be the same as {@code name}'s, other than {@code name}. */
    public Optional<String> collidingParticipant(String name) {
        return StepTopicCollisions.colliding(name, definitions(), participants().keySet());
    }

    /**
     * Completes once this registry has read everything written to it before the call, also by other instances (a
     * definition just registered through another node). Does not block; bound the wait with {@code orTimeout}.
     */
    public CompletableFuture<Void> readToEnd() {
        return reader.readToEnd();
    }

    /** Stores (or replaces) how to reach a participant. */
    public CompletionStage<ParticipantInfo> registerParticipant(ParticipantInfo p) {
        ParticipantRecord record = ParticipantRecord.newBuilder().setName(p.name())
                .setTransport(p.transport().name().toLowerCase(java.util.Locale.ROOT)).setUrl(p.url())
                .setTimeoutMillis(p.timeout().toMillis()).setMaxConcurrency(p.maxConcurrency()).setHealthUrl(p.healthUrl())
                .setRegisteredAtMillis(clock.millis()).build();
        return write(names.participants().name(), p.name(), Topics.PARTICIPANTS.serde().encode(record))
                .thenApply(ignored -> participants().getOrDefault(p.name(), p));
    }

    private CompletionStage<Void> write(String topic, String key, byte[] value) {
        CompletableFuture<Void> applied = new CompletableFuture<>();
        // send() can block while it waits for metadata; callers may be on a Vert.x event loop, so it runs elsewhere.
        CompletableFuture.runAsync(() -> send(topic, key, value, applied));
        return applied.orTimeout(15, TimeUnit.SECONDS);
    }

    private void send(String topic, String key, byte[] value, CompletableFuture<Void> applied) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value), (meta, error) -> {
                if (error != null) {
                    applied.completeExceptionally(error);
                    return;
                }
                reader.whenRead(new TopicPartition(meta.topic(), meta.partition()), meta.offset(),
                        () -> applied.complete(null));
            });
        } catch (RuntimeException e) {
            applied.completeExceptionally(e);
        }
    }

    /**
     * The fingerprint of the callback secret the deployment uses: the first one published for the application id.
     */
    public Optional<String> callbackSecretFingerprint(String applicationId) {
        return reader.definitionsLog().secret(applicationId).map(io.sagalog.schemas.avro.CallbackSecretRecord::getFingerprint);
    }

    /**
     * Publishes this instance's callback secret fingerprint for the application id, and completes, once read back,
     * with the deployment's: this one, unless another instance published a different one first.
     *
     * @param publishedBy how this instance is reached, so a refused instance can name the one it differs from
     */
    public CompletionStage<String> publishCallbackSecretFingerprint(String applicationId, String fingerprint,
                                                                    String publishedBy) {
        var record = io.sagalog.schemas.avro.CallbackSecretRecord.newBuilder().setApplicationId(applicationId)
                .setFingerprint(fingerprint).setPublishedBy(publishedBy).setPublishedAtMillis(clock.millis()).build();
        return write(names.definitions().name(), DefinitionsLog.secretKey(applicationId, fingerprint),
                DefinitionsLog.SECRETS.encode(record))
                .thenApply(ignored -> callbackSecretFingerprint(applicationId).orElse(fingerprint));
    }

    /** Who published the deployment's fingerprint, for the message of an instance that differs. */
    public Optional<String> callbackSecretPublisher(String applicationId) {
        return reader.definitionsLog().secret(applicationId).map(io.sagalog.schemas.avro.CallbackSecretRecord::getPublishedBy);
    }

    @Override
    public void close() {
        SupervisedLoop r = readerLoop;
        if (r != null) {
            r.close(Duration.ofSeconds(5));
        }
        producer.close(Duration.ofSeconds(2));
        admin.close(Duration.ofSeconds(2));
    }
}
