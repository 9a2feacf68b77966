package io.sagalog.engine.registry;

import io.sagalog.engine.Definition;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.DefinitionParser;
import io.sagalog.engine.InvalidDefinitionException;
import io.sagalog.health.ComponentHealth;
import io.sagalog.health.ConsumerFactory;
import io.sagalog.health.SupervisedLoop;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.DefinitionRecord;
import io.sagalog.schemas.avro.ParticipantRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Definitions and participants as registered in the compacted topics {@code sagalog.definitions} and
 * {@code sagalog.participants}. Every instance reads both topics from the start into immutable snapshots, so any
 * instance can answer and the engine always finds the exact definition version a transaction is pinned to.
 * Writes return once this instance has read them back, so a client that registered something can use it at once.
 */
public final class Registry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Registry.class);
    /** At most this many distinct participants over all definitions: each is a step topic with its own partitions. */
    public static final int MAX_STEP_TOPICS = 256;
    /** At most this many registered participants. */
    public static final int MAX_REGISTERED_PARTICIPANTS = 1024;

    /** The name of the reader loop in health and metrics. */
    public static final String COMPONENT = "registry";

    private final io.sagalog.schemas.KafkaClients kafka;
    /** The deployment's topic names (--topic-prefix). */
    private final io.sagalog.schemas.TopicNames names;
    private final ConsumerFactory consumers;
    private final ComponentHealth health;
    private volatile SupervisedLoop reader;
    /** The topics' ends when the first reader session opened: {@link #start} returns once they are read. */
    private volatile Map<TopicPartition, Long> initialEnds;
    private final KafkaProducer<String, byte[]> producer;
    private final org.apache.kafka.clients.admin.Admin admin;
    private final Clock clock;
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    /**
     * Writes waiting to be read back. A flat concurrent queue: the producer's callback adds while the reader releases,
     * and a container per offset could be dropped as empty by one between the other's lookup and its add, leaving
     * that write waiting forever (seen as a PUT that timed out although the registry had read the record).
     */
    private final java.util.Queue<Waiter> waiters = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final DefinitionsLog definitionsLog = new DefinitionsLog();
    private volatile DefinitionCatalog definitions = DefinitionCatalog.of(List.of());
    private volatile Map<String, ParticipantInfo> participants = Map.of();

    private record Waiter(TopicPartition partition, long offset, Runnable done) {}

    private Registry(io.sagalog.schemas.KafkaClients kafka, io.sagalog.schemas.TopicNames names, Clock clock, ComponentHealth health,
                     ConsumerFactory consumers) {
        this.clock = clock;
        this.kafka = kafka;
        this.names = names;
        this.health = health;
        this.consumers = consumers;
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
        registry.reader = SupervisedLoop.start(COMPONENT, health, registry::openReader);
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean loaded = false;
        while (!loaded && System.nanoTime() < deadline) {
            Map<TopicPartition, Long> ends = registry.initialEnds;
            loaded = ends != null
                    && ends.entrySet().stream().allMatch(e -> registry.positions.getOrDefault(e.getKey(), 0L) >= e.getValue());
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
        return definitions;
    }

    public Map<String, ParticipantInfo> participants() {
        return participants;
    }

    public Optional<ParticipantInfo> participant(String name) {
        return Optional.ofNullable(participants.get(name));
    }

    /**
     * Validates the definition and stores it as the next version of its name, as the definitions topic's single
     * partition decides it ({@link DefinitionsLog}): registrations through any instances at the same moment each
     * get their own version. Completes with the version decided once this instance has read it back.
     *
     * @throws InvalidDefinitionException listing every problem; nothing is stored then
     */
    public CompletionStage<Definition> registerDefinition(String name, String json) throws InvalidDefinitionException {
        Definition checked = DefinitionParser.parse(json, 1); // refuse a bad definition before it takes a version
        if (!checked.name().equals(name)) {
            throw new InvalidDefinitionException(List.of("name: '" + checked.name() + "' does not match the name in the path '"
                    + name + "'"));
        }
        checkStepTopics(checked);
        // The record carries a guess (right unless another registration of the name comes first) for readers from
        // before the sequencing, which take the version from the record; this version decides by position.
        int version = definitions.latest(name).map(Definition::version).orElse(0) + 1;
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
                .thenApply(ignored -> definitionsLog.decided(key).orElseThrow());
    }

    /**
     * Kafka treats '.' and '_' in topic names alike ({@code sagalog.steps.a.b} and {@code sagalog.steps.a_b} collide),
     * and every participant a definition names is a step topic; refuses names that collide with each other or with a
     * participant in use, and a definition that would bring the step topics over {@value #MAX_STEP_TOPICS}.
     */
    private void checkStepTopics(Definition d) throws InvalidDefinitionException {
        Map<String, String> inUse = new HashMap<>();
        Set<String> topics = new java.util.HashSet<>();
        for (Definition other : definitions.all()) {
            other.steps().forEach(s -> {
                inUse.putIfAbsent(topicKey(s.participant()), s.participant());
                topics.add(s.participant());
            });
        }
        participants.keySet().forEach(p -> inUse.putIfAbsent(topicKey(p), p));
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
        if (topics.size() > MAX_STEP_TOPICS) {
            problems.add("steps: with this definition the definitions would name " + topics.size()
                    + " participants (step topics); at most " + MAX_STEP_TOPICS + " are allowed in all");
        }
        if (!problems.isEmpty()) {
            throw new InvalidDefinitionException(problems);
        }
    }

    /** A registered participant whose step topic would be the same as {@code name}'s, other than {@code name}. */
    public Optional<String> collidingParticipant(String name) {
        String key = topicKey(name);
        Set<String> names = new java.util.TreeSet<>(participants.keySet());
        definitions.all().forEach(d -> d.steps().forEach(s -> names.add(s.participant())));
        return names.stream().filter(p -> !p.equals(name) && topicKey(p).equals(key)).findFirst();
    }

    private static String topicKey(String participant) {
        return participant.replace('.', '_');
    }

    /** Stores (or replaces) how to reach a participant. */
    public CompletionStage<ParticipantInfo> registerParticipant(ParticipantInfo p) {
        ParticipantRecord record = ParticipantRecord.newBuilder().setName(p.name())
                .setTransport(p.transport().name().toLowerCase(java.util.Locale.ROOT)).setUrl(p.url())
                .setTimeoutMillis(p.timeout().toMillis()).setMaxConcurrency(p.maxConcurrency()).setHealthUrl(p.healthUrl())
                .setRegisteredAtMillis(clock.millis()).build();
        return write(names.participants().name(), p.name(), Topics.PARTICIPANTS.serde().encode(record))
                .thenApply(ignored -> participants.getOrDefault(p.name(), p));
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
                TopicPartition tp = new TopicPartition(meta.topic(), meta.partition());
                Waiter waiter = new Waiter(tp, meta.offset(), () -> applied.complete(null));
                waiters.add(waiter);
                releaseWaiters(); // the reader may have read the record already
            });
        } catch (RuntimeException e) {
            applied.completeExceptionally(e);
        }
    }

    private void releaseWaiters() {
        // Both threads may see the same waiter as done: its completion is idempotent.
        waiters.removeIf(w -> {
            if (positions.getOrDefault(w.partition(), 0L) > w.offset()) {
                w.done().run();
                return true;
            }
            return false;
        });
    }

    /**
     * Opens a reader: a fresh consumer on every partition of both topics, at the positions already read (from the
     * start the first time), so a restarted reader goes on where the last one stopped.
     */
    private SupervisedLoop.Session openReader() {
        Properties c = kafka.properties();
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer = consumers.create(COMPONENT, c);
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(names.definitions().name(), names.participants().name())) {
                consumer.partitionsFor(topic).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            }
            consumer.assign(partitions);
            for (TopicPartition tp : partitions) {
                Long position = positions.get(tp);
                if (position == null) {
                    consumer.seekToBeginning(List.of(tp));
                } else {
                    consumer.seek(tp, position);
                }
            }
            if (initialEnds == null) {
                initialEnds = Map.copyOf(consumer.endOffsets(partitions));
            }
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
        return SupervisedLoop.Session.polling(consumer, () -> readOnce(consumer));
    }

    /** One poll: applies what came, publishes new snapshots, and releases the writers waiting for it. */
    private void readOnce(org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer) {
        var records = consumer.poll(Duration.ofMillis(100));
        boolean changedDefinitions = false;
        boolean changedParticipants = false;
        Map<String, ParticipantInfo> nextParticipants = null;
        for (ConsumerRecord<String, byte[]> r : records) {
            try {
                if (r.topic().equals(names.definitions().name())) {
                    definitionsLog.apply(r.key(), r.value());
                    changedDefinitions = true;
                } else {
                    if (nextParticipants == null) {
                        nextParticipants = new HashMap<>(participants);
                    }
                    applyParticipant(r, nextParticipants);
                    changedParticipants = true;
                }
            } catch (RuntimeException e) {
                log.error("skipping unreadable registry record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(),
                        e.getMessage());
            }
        }
        if (changedDefinitions) {
            definitions = definitionsLog.catalog();
        }
        if (changedParticipants) {
            participants = Map.copyOf(nextParticipants);
        }
        for (TopicPartition tp : consumer.assignment()) {
            positions.put(tp, consumer.position(tp));
        }
        releaseWaiters();
    }

    /**
     * The fingerprint of the callback secret the deployment uses: the first one published for the application id.
     */
    public Optional<String> callbackSecretFingerprint(String applicationId) {
        return definitionsLog.secret(applicationId).map(io.sagalog.schemas.avro.CallbackSecretRecord::getFingerprint);
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
        return definitionsLog.secret(applicationId).map(io.sagalog.schemas.avro.CallbackSecretRecord::getPublishedBy);
    }

    private static void applyParticipant(ConsumerRecord<String, byte[]> r, Map<String, ParticipantInfo> into) {
        if (r.value() == null) {
            into.remove(r.key());
            return;
        }
        ParticipantRecord p = Topics.PARTICIPANTS.serde().decode(r.value());
        into.put(p.getName(), new ParticipantInfo(p.getName(),
                ParticipantInfo.Transport.valueOf(p.getTransport().toUpperCase(java.util.Locale.ROOT)), p.getUrl(),
                Duration.ofMillis(p.getTimeoutMillis()), p.getMaxConcurrency(), p.getHealthUrl()));
    }

    @Override
    public void close() {
        SupervisedLoop r = reader;
        if (r != null) {
            r.close(Duration.ofSeconds(5));
        }
        producer.close(Duration.ofSeconds(2));
        admin.close(Duration.ofSeconds(2));
    }
}
