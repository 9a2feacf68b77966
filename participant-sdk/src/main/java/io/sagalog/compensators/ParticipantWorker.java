package io.sagalog.compensators;

import io.sagalog.compensators.internal.StepRunner;
import io.sagalog.health.ComponentHealth;
import io.sagalog.health.ConsumerFactory;
import io.sagalog.health.SupervisedLoop;
import io.sagalog.schemas.StepResults;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.ParticipantRecord;
import io.sagalog.schemas.avro.StepRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link Participant}: consumes its topic {@code sagalog.steps.<name>}, calls the named handler for each
 * request, and appends the result to the control log. Offsets are committed only after the results are acked,
 * so a crash re-runs requests (handlers are idempotent by contract) and never loses one.
 *
 * <p>Handlers run on the worker's own thread, one request at a time per worker; start more workers (same
 * participant, same bootstrap) to run more at once: Kafka spreads the partitions between them.
 */
public final class ParticipantWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ParticipantWorker.class);

    private final Participant participant;
    /** The deployment's topic names (--topic-prefix). */
    private final io.sagalog.schemas.TopicNames names;
    private final Properties consumerConfig;
    private final ConsumerFactory consumers;
    private final ComponentHealth health;
    private final String component;
    private final KafkaProducer<String, byte[]> producer;
    private final StepRunner runner;
    private volatile SupervisedLoop loop;
    private volatile boolean registered;

    private ParticipantWorker(Participant participant, io.sagalog.schemas.KafkaClients kafka, io.sagalog.schemas.TopicNames names, Map<String, Object> overrides,
                              ConsumerFactory consumers, ComponentHealth health) {
        this.participant = participant;
        this.names = names;
        this.consumers = consumers;
        this.health = health;
        this.component = "participant-" + participant.name();
        this.runner = new StepRunner(participant, Clock.systemUTC());
        Properties c = kafka.properties();
        c.put(ConsumerConfig.GROUP_ID_CONFIG, names.participantGroup(participant.name()));
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A participant that joins late must still see every request written before it started.
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        Properties p = kafka.properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        overrides.forEach((k, v) -> {
            if (k.startsWith("consumer.")) {
                c.put(k.substring("consumer.".length()), v);
            } else if (k.startsWith("producer.")) {
                p.put(k.substring("producer.".length()), v);
            }
        });
        this.consumerConfig = c;
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
    }

    /** Starts a worker for the participant against the given Kafka cluster. */
    public static ParticipantWorker start(Participant participant, String bootstrapServers) {
        return start(participant, bootstrapServers, Map.of());
    }

    /** @param overrides Kafka client settings, prefixed {@code consumer.} or {@code producer.} */
    public static ParticipantWorker start(Participant participant, String bootstrapServers, Map<String, Object> overrides) {
        return start(participant, bootstrapServers, overrides, ConsumerFactory.KAFKA);
    }

    /**
     * Starts a worker against a cluster described the way Kafka's own clients are: {@code bootstrap.servers} and any
     * client settings ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}, {@code client.rack}, ...) apply to
     * both the worker's consumer and producer; keys prefixed {@code consumer.} or {@code producer.} to one of them.
     * A Sagalog node's {@code --kafka-config} file plus {@code bootstrap.servers} is such a set; the deployment's
     * {@code --topic-prefix}, if not {@code sagalog.}, goes in as {@value #TOPIC_PREFIX}.
     */
    public static final String TOPIC_PREFIX = "sagalog.topic.prefix";

    public static ParticipantWorker start(Participant participant, Properties kafka) {
        Map<String, String> shared = new java.util.HashMap<>();
        Map<String, Object> overrides = new java.util.HashMap<>();
        for (String key : kafka.stringPropertyNames()) {
            if (key.startsWith("consumer.") || key.startsWith("producer.")) {
                overrides.put(key, kafka.getProperty(key));
            } else if (!key.equals("bootstrap.servers") && !key.equals(TOPIC_PREFIX)) {
                shared.put(key, kafka.getProperty(key));
            }
        }
        String bootstrap = kafka.getProperty("bootstrap.servers");
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("the Kafka properties of participant " + participant.name()
                    + " have no bootstrap.servers");
        }
        return start(participant, new io.sagalog.schemas.KafkaClients(bootstrap, shared), io.sagalog.schemas.TopicNames.of(kafka.getProperty(TOPIC_PREFIX)), overrides,
                ConsumerFactory.KAFKA, new ComponentHealth());
    }

    /** @param consumers creates the worker's consumer, again after each failure (tests break it on purpose) */
    public static ParticipantWorker start(Participant participant, String bootstrapServers, Map<String, Object> overrides,
                                          ConsumerFactory consumers) {
        return start(participant, bootstrapServers, overrides, consumers, new ComponentHealth());
    }

    /**
     * @param health where the worker reports, as {@code participant-<name>}: an embedding service can pass its own
     *               and serve it in its readiness check
     */
    public static ParticipantWorker start(Participant participant, String bootstrapServers, Map<String, Object> overrides,
                                          ConsumerFactory consumers, ComponentHealth health) {
        return start(participant, io.sagalog.schemas.KafkaClients.of(bootstrapServers), io.sagalog.schemas.TopicNames.DEFAULT, overrides, consumers, health);
    }

    /**
     * @param kafka the cluster and the client settings (security) both of the worker's clients use
     * @param names the deployment's topic names (--topic-prefix); they also name the worker's consumer group
     */
    public static ParticipantWorker start(Participant participant, io.sagalog.schemas.KafkaClients kafka, io.sagalog.schemas.TopicNames names,
                                          Map<String, Object> overrides, ConsumerFactory consumers,
                                          ComponentHealth health) {
        ParticipantWorker worker = new ParticipantWorker(participant, kafka, names, overrides, consumers, health);
        // Not a daemon thread: a service that only runs workers keeps running while they do.
        worker.loop = SupervisedLoop.start(worker.component, health, worker::openSession, SupervisedLoop.Policy.DEFAULT,
                false);
        return worker;
    }

    /**
     * The worker's health: UP while it works; DEGRADED while Kafka is away for now; RESTARTING after a failure (it
     * restarts by itself, with the error and the count of restarts); DOWN once closed.
     */
    public ComponentHealth.Status health() {
        return health.status(component);
    }

    public String participant() {
        return participant.name();
    }

    /** How often a worker commits its consumer offsets. */
    private static final Duration COMMIT_EVERY = Duration.ofMillis(100);

    /** A fresh consumer subscribed to the participant's topic, from the committed offsets. */
    private SupervisedLoop.Session openSession() throws InterruptedException {
        if (!registered) {
            register();
        }
        Consumer<String, byte[]> consumer = consumers.create(component, consumerConfig);
        try {
            return new Session(consumer);
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    /** One consumer's life: polls, runs each request, and commits once the results are acked. */
    private final class Session implements SupervisedLoop.Session {
        private final Consumer<String, byte[]> consumer;
        private long lastCommit = System.nanoTime();
        // True while every record polled so far has its result acked: only then may positions be committed.
        private boolean answered = true;
        private boolean uncommitted = false;

        Session(Consumer<String, byte[]> consumer) {
            this.consumer = consumer;
            consumer.subscribe(List.of(names.steps(participant.name()).name()),
                    new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
                        @Override
                        public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {
                            // Called from poll(): everything polled before is answered and acked. A commit that fails
                            // here costs re-running some requests (handlers are idempotent), not the worker.
                            try {
                                consumer.commitSync(Duration.ofSeconds(5));
                            } catch (org.apache.kafka.common.errors.WakeupException
                                     | org.apache.kafka.common.errors.InterruptException e) {
                                throw e;
                            } catch (RuntimeException e) {
                                log.warn("participant {} could not commit before a rebalance ({}); some requests run "
                                        + "again", participant.name(), e.toString());
                            }
                        }

                        @Override
                        public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
                        }
                    });
        }

        @Override
        public void step() throws Exception {
            ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
            if (records.isEmpty()) {
                if (uncommitted) {
                    consumer.commitAsync(); // quiet now: commit what was answered, so lag reads 0
                    uncommitted = false;
                    lastCommit = System.nanoTime();
                }
                return;
            }
            answered = false;
            List<StepRequest> requests = new ArrayList<>(records.count());
            List<Future<RecordMetadata>> sent = new ArrayList<>(records.count());
            for (ConsumerRecord<String, byte[]> record : records) {
                StepRequest request = decode(record);
                if (request != null) {
                    // From the engine's decision (the record's time) to now: its lag plus this topic's backlog,
                    // which ingest watches to refuse work participants cannot take (admission).
                    ControlRecord result = runner.run(request, Math.max(0, System.currentTimeMillis() - record.timestamp()));
                    requests.add(request);
                    sent.add(send(request, result));
                }
            }
            for (int i = 0; i < sent.size(); i++) {
                awaitAck(requests.get(i), sent.get(i)); // every result acked before its request is marked done
            }
            answered = true;
            uncommitted = true;
            // Everything polled so far is answered and acked, so committing the positions is safe. Committing at
            // most every COMMIT_EVERY (asynchronously) spares the broker an offset write per batch; a crash
            // re-runs at most that much, and handlers are idempotent by contract.
            long now = System.nanoTime();
            if (now - lastCommit >= COMMIT_EVERY.toNanos()) {
                consumer.commitAsync();
                lastCommit = now;
                uncommitted = false;
            }
        }

        @Override
        public void wakeup() {
            consumer.wakeup();
        }

        @Override
        public void close() {
            if (answered) {
                try {
                    consumer.commitSync(Duration.ofSeconds(2));
                } catch (RuntimeException e) {
                    log.debug("participant {} could not commit on close: {}", participant.name(), e.toString());
                }
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private Future<RecordMetadata> send(StepRequest request, ControlRecord result) {
        return producer.send(new ProducerRecord<>(names.control().name(), request.getTxId(),
                Topics.CONTROL.serde().encode(result)));
    }

    /**
     * Waits for a result's ack. A result Kafka refuses for its size (its request is the same after every restart)
     * is replaced by a failure of the step, so it cannot stop the worker again and again.
     */
    private void awaitAck(StepRequest request, Future<RecordMetadata> sent) throws Exception {
        try {
            sent.get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.RecordTooLargeException)) {
                throw e;
            }
            log.error("participant {}: the result of {} {} of transaction {} is too large for Kafka ({}); reporting a "
                    + "failure instead", participant.name(), request.getPhase(), request.getStep(), request.getTxId(),
                    e.getCause().getMessage());
            // The handler ran: its effect may stand, so the outcome is unknown (in doubt), not a rejection.
            ControlRecord failure = StepResults.encode(request.getTxId(), request.getStep(), request.getAttempt(),
                    request.getPhase(), io.sagalog.schemas.avro.Outcome.UNKNOWN, null,
                    "the step's result is too large for Kafka: " + e.getCause().getMessage(), -1,
                    System.currentTimeMillis());
            send(request, failure).get();
        }
    }

    /** Java SDK participants register themselves (transport kafka), so the engine knows they exist. */
    private void register() throws InterruptedException {
        ParticipantRecord record = StepResults.participant(participant.name(), "kafka",
                System.currentTimeMillis());
        try {
            producer.send(new ProducerRecord<>(names.participants().name(), participant.name(),
                    Topics.PARTICIPANTS.serde().encode(record))).get(30, java.util.concurrent.TimeUnit.SECONDS);
            registered = true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("participant {} could not register itself in {} ({}); the engine parks its steps until it is "
                    + "registered", participant.name(), names.participants().name(), e.toString());
        }
    }

    private StepRequest decode(ConsumerRecord<String, byte[]> record) {
        try {
            return Topics.steps(participant.name()).serde().decode(record.value());
        } catch (RuntimeException e) {
            log.error("participant {} skips an unreadable request at {}-{} offset {}: {}", participant.name(),
                    record.topic(), record.partition(), record.offset(), e.getMessage());
            return null;
        }
    }

    /** Stops polling, finishes the batch in hand, and closes the Kafka clients. */
    @Override
    public void close() {
        SupervisedLoop l = loop;
        if (l != null) {
            l.close(Duration.ofSeconds(15));
        }
        producer.close(Duration.ofSeconds(5));
    }
}
