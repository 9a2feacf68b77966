package io.sagalog.compensators;

import io.sagalog.compensators.internal.StepRunner;
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
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
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
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final StepRunner runner;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    private ParticipantWorker(Participant participant, String bootstrapServers, Map<String, Object> overrides) {
        this.participant = participant;
        this.runner = new StepRunner(participant, Clock.systemUTC());
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "sagalog-participant-" + participant.name());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A participant that joins late must still see every request written before it started.
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
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
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
        this.thread = new Thread(this::loop, "sagalog-participant-" + participant.name());
    }

    /** Starts a worker for the participant against the given Kafka cluster. */
    public static ParticipantWorker start(Participant participant, String bootstrapServers) {
        return start(participant, bootstrapServers, Map.of());
    }

    /** @param overrides Kafka client settings, prefixed {@code consumer.} or {@code producer.} */
    public static ParticipantWorker start(Participant participant, String bootstrapServers, Map<String, Object> overrides) {
        ParticipantWorker worker = new ParticipantWorker(participant, bootstrapServers, overrides);
        worker.thread.start();
        return worker;
    }

    public String participant() {
        return participant.name();
    }

    /** How often a worker commits its consumer offsets. */
    private static final Duration COMMIT_EVERY = Duration.ofMillis(100);

    private void loop() {
        long lastCommit = System.nanoTime();
        // True while every record polled so far has its result acked: only then may positions be committed.
        boolean answered = true;
        boolean uncommitted = false;
        String topic = Topics.steps(participant.name()).name();
        try {
            register();
            consumer.subscribe(List.of(topic), new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) {
                    consumer.commitSync(); // called from poll(): everything polled before is answered and acked
                }

                @Override
                public void onPartitionsAssigned(java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) {
                }
            });
            while (running.get()) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    if (uncommitted) {
                        consumer.commitAsync(); // quiet now: commit what was answered, so lag reads 0
                        uncommitted = false;
                        lastCommit = System.nanoTime();
                    }
                    continue;
                }
                answered = false;
                List<Future<RecordMetadata>> sent = new ArrayList<>(records.count());
                for (ConsumerRecord<String, byte[]> record : records) {
                    StepRequest request = decode(record);
                    if (request != null) {
                        ControlRecord result = runner.run(request);
                        sent.add(producer.send(new ProducerRecord<>(Topics.CONTROL.name(), request.getTxId(),
                                Topics.CONTROL.serde().encode(result))));
                    }
                }
                for (Future<RecordMetadata> f : sent) {
                    f.get(); // every result acked before its request is marked done
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
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.error("participant {} stopped: {}", participant.name(), e.toString(), e);
        } finally {
            if (answered) {
                try {
                    consumer.commitSync(Duration.ofSeconds(2));
                } catch (RuntimeException e) {
                    log.debug("participant {} could not commit on close: {}", participant.name(), e.toString());
                }
            }
            consumer.close(Duration.ofSeconds(5));
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Java SDK participants register themselves (transport kafka), so the engine knows they exist. */
    private void register() throws InterruptedException {
        ParticipantRecord record = ParticipantRecord.newBuilder().setName(participant.name()).setTransport("kafka")
                .setRegisteredAtMillis(System.currentTimeMillis()).build();
        try {
            producer.send(new ProducerRecord<>(Topics.PARTICIPANTS.name(), participant.name(),
                    Topics.PARTICIPANTS.serde().encode(record))).get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("participant {} could not register itself in {} ({}); the engine parks its steps until it is "
                    + "registered", participant.name(), Topics.PARTICIPANTS.name(), e.toString());
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
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(15).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
