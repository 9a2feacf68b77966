package io.sagalog.compensators;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.health.ComponentHealth;
import io.sagalog.health.ConsumerFactory;
import io.sagalog.schemas.KafkaClients;
import io.sagalog.schemas.TopicNames;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * A worker's options, from {@link ParticipantWorker#builder(Participant)}:
 *
 * <pre>{@code
 * ObjectMapper mapper = ParticipantWorker.defaultObjectMapper().registerModule(new MoneyModule());
 * ParticipantWorker worker = ParticipantWorker.builder(hotels)
 *         .bootstrapServers("localhost:9092")
 *         .objectMapper(mapper)
 *         .start();
 * }</pre>
 *
 * The Kafka cluster ({@link #bootstrapServers} or {@link #kafka}) is the one option without a default.
 */
public final class ParticipantWorkerBuilder {
    final Participant participant;
    KafkaClients kafka;
    TopicNames names = TopicNames.DEFAULT;
    Map<String, Object> overrides = Map.of();
    ConsumerFactory consumers = ConsumerFactory.KAFKA;
    ComponentHealth health = new ComponentHealth();
    ObjectMapper mapper = ParticipantWorker.defaultObjectMapper();

    ParticipantWorkerBuilder(Participant participant) {
        this.participant = Objects.requireNonNull(participant, "the participant");
    }

    /** An unsecured cluster, the default topic names. */
    public ParticipantWorkerBuilder bootstrapServers(String bootstrapServers) {
        return kafka(KafkaClients.of(bootstrapServers), TopicNames.DEFAULT);
    }

    /**
     * The cluster described the way Kafka's own clients are (see {@link ParticipantWorker#start(Participant,
     * Properties)}): {@code bootstrap.servers}, settings for both clients, keys prefixed {@code consumer.} or
     * {@code producer.} for one of them, and {@value ParticipantWorker#TOPIC_PREFIX} for the deployment's topic prefix.
     */
    public ParticipantWorkerBuilder kafka(Properties kafka) {
        Map<String, String> shared = new HashMap<>();
        Map<String, Object> prefixed = new HashMap<>();
        for (String key : kafka.stringPropertyNames()) {
            if (key.startsWith("consumer.") || key.startsWith("producer.")) {
                prefixed.put(key, kafka.getProperty(key));
            } else if (!key.equals("bootstrap.servers") && !key.equals(ParticipantWorker.TOPIC_PREFIX)) {
                shared.put(key, kafka.getProperty(key));
            }
        }
        String bootstrap = kafka.getProperty("bootstrap.servers");
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("the Kafka properties of participant " + participant.name()
                    + " have no bootstrap.servers");
        }
        return kafka(new KafkaClients(bootstrap, shared), TopicNames.of(kafka.getProperty(ParticipantWorker.TOPIC_PREFIX)))
                .overrides(prefixed);
    }

    /**
     * @param kafka the cluster and the client settings (security) both of the worker's clients use
     * @param names the deployment's topic names (--topic-prefix); they also name the worker's consumer group
     */
    public ParticipantWorkerBuilder kafka(KafkaClients kafka, TopicNames names) {
        this.kafka = Objects.requireNonNull(kafka, "the Kafka clients");
        this.names = Objects.requireNonNull(names, "the topic names");
        return this;
    }

    /**
     * @param overrides Kafka client settings, prefixed {@code consumer.} or {@code producer.}; they replace the
     *                  prefixed keys given before, those of {@link #kafka(Properties)} included
     */
    public ParticipantWorkerBuilder overrides(Map<String, Object> overrides) {
        this.overrides = Map.copyOf(overrides);
        return this;
    }

    /** @param consumers creates the worker's consumer, again after each failure (tests break it on purpose) */
    public ParticipantWorkerBuilder consumers(ConsumerFactory consumers) {
        this.consumers = Objects.requireNonNull(consumers, "the consumer factory");
        return this;
    }

    /**
     * @param health where the worker reports, as {@code participant-<name>}: an embedding service can pass its own
     *               and serve it in its readiness check
     */
    public ParticipantWorkerBuilder health(ComponentHealth health) {
        this.health = Objects.requireNonNull(health, "the health");
        return this;
    }

    /**
     * The mapper that reads each request's input and context ({@link StepCall#input()}) and writes each action's
     * output, used as given: a caller's mapper that should write java.time values needs {@code JavaTimeModule}
     * (starting from {@link ParticipantWorker#defaultObjectMapper()} brings it). The worker only reads and writes with
     * it; configure it fully before {@link #start()}.
     */
    public ParticipantWorkerBuilder objectMapper(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "the ObjectMapper");
        return this;
    }

    /** Starts the worker: it registers its participant and consumes its step topic on a thread of its own. */
    public ParticipantWorker start() {
        if (kafka == null) {
            throw new IllegalStateException("participant " + participant.name()
                    + ": no Kafka cluster given (bootstrapServers or kafka)");
        }
        return ParticipantWorker.start(this);
    }
}
