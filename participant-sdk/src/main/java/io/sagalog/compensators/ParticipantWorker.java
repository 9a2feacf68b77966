package io.sagalog.compensators;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.compensators.internal.Codecs;
import io.sagalog.compensators.internal.ResultLog;
import io.sagalog.compensators.internal.StepRunner;
import io.sagalog.compensators.internal.StepSession;
import io.sagalog.health.ComponentHealth;
import io.sagalog.health.ConsumerFactory;
import io.sagalog.health.SupervisedLoop;
import io.sagalog.schemas.KafkaClients;
import io.sagalog.schemas.TopicNames;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Runs a {@link Participant}: consumes its topic {@code sagalog.steps.<name>}, calls the named handler for each
 * request, and appends the result to the control log. Offsets are committed only after the results are acked,
 * so a crash re-runs requests (handlers are idempotent by contract) and never loses one.
 *
 * <p>Handlers run on the worker's own thread, one request at a time per worker; start more workers (same
 * participant, same bootstrap) to run more at once: Kafka spreads the partitions between them.
 *
 * <p>Start one with {@link #start(Participant, String)}, or with {@link #builder(Participant)} for the rest: the
 * Kafka client settings, the {@link ObjectMapper} that reads inputs and writes outputs, the health to report to.
 * Without a mapper of the caller's, the worker uses {@link #defaultObjectMapper()}, which writes java.time values
 * (an {@code Instant}, a {@code Duration}) as ISO-8601 text.
 */
public final class ParticipantWorker implements AutoCloseable {
    /**
     * The Kafka properties key of the deployment's {@code --topic-prefix}, if not {@code sagalog.} (see
     * {@link #start(Participant, Properties)}); it is not passed on to Kafka.
     */
    public static final String TOPIC_PREFIX = "sagalog.topic.prefix";

    private final Participant participant;
    private final TopicNames names;
    private final Properties consumerConfig;
    private final ConsumerFactory consumers;
    private final ComponentHealth health;
    private final String component;
    private final ResultLog results;
    private final StepRunner runner;
    private volatile SupervisedLoop loop;
    private volatile boolean registered;

    private ParticipantWorker(ParticipantWorkerBuilder b) {
        this.participant = b.participant;
        this.names = b.names;
        this.consumers = b.consumers;
        this.health = b.health;
        this.component = "participant-" + participant.name();
        this.runner = new StepRunner(participant, Clock.systemUTC(), b.mapper);
        Properties c = b.kafka.properties();
        c.put(ConsumerConfig.GROUP_ID_CONFIG, names.participantGroup(participant.name()));
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A participant that joins late must still see every request written before it started.
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        Properties p = b.kafka.properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        b.overrides.forEach((k, v) -> {
            if (k.startsWith("consumer.")) {
                c.put(k.substring("consumer.".length()), v);
            } else if (k.startsWith("producer.")) {
                p.put(k.substring("producer.".length()), v);
            }
        });
        Codecs.checkProducer(p, ParticipantWorker.class.getClassLoader());
        this.consumerConfig = c;
        this.results = new ResultLog(participant.name(), names, p);
    }

    /** The options of a worker beyond its participant; {@link ParticipantWorkerBuilder#start()} starts it. */
    public static ParticipantWorkerBuilder builder(Participant participant) {
        return new ParticipantWorkerBuilder(participant);
    }

    /**
     * The mapper a worker uses unless given one ({@link ParticipantWorkerBuilder#objectMapper}): Jackson with
     * {@code JavaTimeModule}, java.time values written as ISO-8601 text. A fresh instance, so a caller can start from
     * it and add its own modules.
     */
    public static ObjectMapper defaultObjectMapper() {
        return StepRunner.defaultObjectMapper();
    }

    /** Starts a worker for the participant against the given Kafka cluster. */
    public static ParticipantWorker start(Participant participant, String bootstrapServers) {
        return builder(participant).bootstrapServers(bootstrapServers).start();
    }

    /** @param overrides Kafka client settings, prefixed {@code consumer.} or {@code producer.} */
    public static ParticipantWorker start(Participant participant, String bootstrapServers, Map<String, Object> overrides) {
        return builder(participant).bootstrapServers(bootstrapServers).overrides(overrides).start();
    }

    /**
     * Starts a worker against a cluster described the way Kafka's own clients are: {@code bootstrap.servers} and any
     * client settings ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}, {@code client.rack}, ...) apply to
     * both the worker's consumer and producer; keys prefixed {@code consumer.} or {@code producer.} to one of them.
     * A Sagalog node's {@code --kafka-config} file plus {@code bootstrap.servers} is such a set; the deployment's
     * {@code --topic-prefix}, if not {@code sagalog.}, goes in as {@value #TOPIC_PREFIX}.
     */
    public static ParticipantWorker start(Participant participant, Properties kafka) {
        return builder(participant).kafka(kafka).start();
    }

    /** @param consumers creates the worker's consumer, again after each failure (tests break it on purpose) */
    public static ParticipantWorker start(Participant participant, String bootstrapServers, Map<String, Object> overrides,
                                          ConsumerFactory consumers) {
        return builder(participant).bootstrapServers(bootstrapServers).overrides(overrides).consumers(consumers).start();
    }

    /**
     * @param health where the worker reports, as {@code participant-<name>}: an embedding service can pass its own
     *               and serve it in its readiness check
     */
    public static ParticipantWorker start(Participant participant, String bootstrapServers, Map<String, Object> overrides,
                                          ConsumerFactory consumers, ComponentHealth health) {
        return builder(participant).bootstrapServers(bootstrapServers).overrides(overrides).consumers(consumers)
                .health(health).start();
    }

    /**
     * @param kafka the cluster and the client settings (security) both of the worker's clients use
     * @param names the deployment's topic names (--topic-prefix); they also name the worker's consumer group
     */
    public static ParticipantWorker start(Participant participant, KafkaClients kafka, TopicNames names,
                                          Map<String, Object> overrides, ConsumerFactory consumers,
                                          ComponentHealth health) {
        return builder(participant).kafka(kafka, names).overrides(overrides).consumers(consumers).health(health).start();
    }

    /** Called by {@link ParticipantWorkerBuilder#start()}. */
    static ParticipantWorker start(ParticipantWorkerBuilder options) {
        ParticipantWorker worker = new ParticipantWorker(options);
        // Not a daemon thread: a service that only runs workers keeps running while they do.
        worker.loop = SupervisedLoop.start(worker.component, worker.health, worker::openSession,
                SupervisedLoop.Policy.DEFAULT, false);
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

    /** A fresh consumer subscribed to the participant's topic, from the committed offsets. */
    private SupervisedLoop.Session openSession() throws InterruptedException {
        if (!registered) {
            registered = results.register();
        }
        Consumer<String, byte[]> consumer = consumers.create(component, consumerConfig);
        try {
            return new StepSession(consumer, participant.name(), names.steps(participant.name()).name(), runner,
                    results);
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    /** Stops polling, finishes the batch in hand, and closes the Kafka clients. */
    @Override
    public void close() {
        SupervisedLoop l = loop;
        if (l != null) {
            l.close(Duration.ofSeconds(15));
        }
        results.close();
    }
}
