package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.compensators.Participant;
import io.sagalog.compensators.ParticipantWorker;
import io.sagalog.health.ComponentHealth;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.Outcome;
import io.sagalog.schemas.avro.Phase;
import io.sagalog.schemas.avro.StepRequest;
import io.sagalog.schemas.avro.StepResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A Java SDK worker against a real broker: step requests go into its topic, results are read from the control log.
 * What a handler does wrong fails that step and never the worker; a worker whose consumer breaks restarts itself and
 * shows it in its health.
 */
class ParticipantWorkerIntegrationTest {
    private static final Duration ANSWER = Duration.ofSeconds(30);

    private final String bootstrap = KafkaFixture.bootstrapServers();
    private final String name = "pw-it-" + UUID.randomUUID().toString().substring(0, 8);

    private final Participant participant = Participant.named(name)
            .action("huge", call -> Map.of("blob", "x".repeat(2 * 1024 * 1024))) // over Kafka's 1 MiB record limit
            .action("error", call -> {
                throw new AssertionError("handler bug");
            })
            .action("ok", call -> Map.of("ok", true))
            .action("timely", call -> Map.of("at", java.time.Instant.parse("2026-12-24T15:00:00Z")))
            .build();

    @Test
    void shouldFailAStepWhoseOutputIsTooLargeOrWhoseHandlerThrowsAnErrorAndKeepServing() throws Exception {
        createTopic();
        try (ControlReader results = new ControlReader(); ParticipantWorker worker = ParticipantWorker.start(participant, bootstrap)) {
            send("tx-huge-" + name, "huge");
            StepResult huge = results.await("tx-huge-" + name);
            assertThat(huge.getOutcome()).isEqualTo(Outcome.UNKNOWN); // it ran: in doubt, compensated on rollback
            assertThat(huge.getError()).contains("larger than the limit");

            send("tx-error-" + name, "error");
            StepResult error = results.await("tx-error-" + name);
            assertThat(error.getOutcome()).isEqualTo(Outcome.FAILED_TRANSIENT);
            assertThat(error.getError()).contains("AssertionError: handler bug");

            send("tx-ok-" + name, "ok");
            assertThat(results.await("tx-ok-" + name).getOutcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(worker.health().state()).isEqualTo(ComponentHealth.State.UP);
        }
    }

    @Test
    void shouldRestartAWorkerWhoseConsumerBreaksAndShowItInItsHealth() throws Exception {
        createTopic();
        BreakableConsumers consumers = new BreakableConsumers();
        String component = "participant-" + name;
        try (ControlReader results = new ControlReader();
             ParticipantWorker worker = ParticipantWorker.start(participant, bootstrap, Map.of(), consumers)) {
            send("tx-before-" + name, "ok");
            assertThat(results.await("tx-before-" + name).getOutcome()).isEqualTo(Outcome.SUCCEEDED);

            consumers.breakUntilFixed(component, "poll");
            org.awaitility.Awaitility.await("worker health shows RESTARTING").atMost(ANSWER).pollInterval(Duration.ofMillis(10))
                    .until(() -> worker.health().state() == ComponentHealth.State.RESTARTING);
            assertThat(worker.health().lastError()).contains("broken on purpose");
            send("tx-meanwhile-" + name, "ok");
            consumers.fix(component, "poll");
            assertThat(results.await("tx-meanwhile-" + name).getOutcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(worker.health().restarts()).isGreaterThanOrEqualTo(1);
            assertThat(consumers.created(component)).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void shouldKeepRunningWhenTheCommitBeforeARebalanceFails() throws Exception {
        createTopic();
        BreakableConsumers consumers = new BreakableConsumers();
        String component = "participant-" + name;
        try (ControlReader results = new ControlReader();
             ParticipantWorker first = ParticipantWorker.start(participant, bootstrap, Map.of(), consumers)) {
            send("tx-first-" + name, "ok");
            assertThat(results.await("tx-first-" + name).getOutcome()).isEqualTo(Outcome.SUCCEEDED);

            consumers.failOnce(component, "commitSync");
            // A second worker of the same participant joins: the first gives its partition up and commits first.
            try (ParticipantWorker second = ParticipantWorker.start(participant, bootstrap)) {
                org.awaitility.Awaitility.await("the commit before the rebalance was made").atMost(ANSWER)
                        .pollInterval(Duration.ofMillis(10)).until(() -> consumers.thrown(component) > 0);
                send("tx-after-" + name, "ok");
                assertThat(results.await("tx-after-" + name).getOutcome()).isEqualTo(Outcome.SUCCEEDED);
                assertThat(first.health().restarts()).as("the failed commit did not end the worker's loop").isZero();
                assertThat(first.health().state()).isEqualTo(ComponentHealth.State.UP);
            }
        }
    }

    @Test
    void shouldWriteJavaTimeValuesByDefaultAndUseTheMapperTheCallerSupplies() throws Exception {
        createTopic();
        try (ControlReader results = new ControlReader(); ParticipantWorker worker = ParticipantWorker.start(participant, bootstrap)) {
            send("tx-timely-" + name, "timely");
            StepResult timely = results.await("tx-timely-" + name);
            assertThat(timely.getOutcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(timely.getOutput()).isEqualTo("{\"at\":\"2026-12-24T15:00:00Z\"}");
        }
        record Booking(String roomNumber) {}
        Participant booking = Participant.named(name).action("ok", call -> new Booking("12")).build();
        var snakeCase = ParticipantWorker.defaultObjectMapper()
                .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);
        try (ControlReader results = new ControlReader();
             ParticipantWorker worker = ParticipantWorker.builder(booking).bootstrapServers(bootstrap)
                     .objectMapper(snakeCase).start()) {
            send("tx-mapper-" + name, "ok");
            StepResult result = results.await("tx-mapper-" + name);
            assertThat(result.getOutcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(result.getOutput()).isEqualTo("{\"room_number\":\"12\"}");
        }
    }

    @Test
    void shouldFailNamingTheJarToAddWhenAStepTopicHoldsRecordsCompressedWithACodecTheSdkLeavesOut() throws Exception {
        createTopic();
        send("tx-zstd-" + name, "ok", Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd"));

        ClassLoader withoutCodecs = CodecLessWorker.loader();
        ClassLoader own = Thread.currentThread().getContextClassLoader();
        Object failure;
        Thread.currentThread().setContextClassLoader(withoutCodecs); // Kafka loads its plugins (metrics) through it
        try {
            failure = Class.forName(CodecLessWorker.class.getName(), true, withoutCodecs)
                    .getMethod("failureOf", String.class, String.class, long.class)
                    .invoke(null, bootstrap, name, ANSWER.toMillis());
        } finally {
            Thread.currentThread().setContextClassLoader(own);
        }
        assertThat((String) failure).contains("holds zstd-compressed records").contains("com.github.luben:zstd-jni");

        // The positive control: the same request, read by a worker that has the codec, is answered.
        try (ControlReader results = new ControlReader(); ParticipantWorker worker = ParticipantWorker.start(participant, bootstrap)) {
            assertThat(results.await("tx-zstd-" + name).getOutcome()).isEqualTo(Outcome.SUCCEEDED);
        }
    }

    private void createTopic() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            // The control log and the registry topics, as a node creates them, when no test made them yet.
            io.sagalog.engine.SagalogTopics.ensure(admin, io.sagalog.engine.DefinitionCatalog.of(List.of()), 3, (short) 1);
            admin.createTopics(List.of(new NewTopic(Topics.steps(name).name(), 1, (short) 1))).all().get();
        }
    }

    private void send(String txId, String handler) throws Exception {
        send(txId, handler, Map.of());
    }

    private void send(String txId, String handler, Map<String, String> producerSettings) throws Exception {
        StepRequest request = StepRequest.newBuilder().setTxId(txId).setDefinition("pw-it").setStep("one")
                .setParticipant(name).setPhase(Phase.ACTION).setHandler(handler).setAttempt(1)
                .setIdempotencyKey(txId + ":one:action").setInput("{}").setContext("{}")
                .setDeadlineMillis(System.currentTimeMillis() + 60_000).build();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.putAll(producerSettings);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.steps(name).name(), txId, Topics.steps(name).serde().encode(request))).get();
        }
    }

    /** Reads the control log from its end as of creation. */
    private final class ControlReader implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;

        ControlReader() {
            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.CONTROL.name()).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
        }

        StepResult await(String txId) {
            long deadline = System.nanoTime() + ANSWER.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (txId.equals(r.key())) {
                        ControlRecord record = Topics.CONTROL.serde().decode(r.value());
                        if (record.getBody() instanceof StepResult result) {
                            return result;
                        }
                    }
                }
            }
            throw new AssertionError("no step result for " + txId + " within " + ANSWER);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
