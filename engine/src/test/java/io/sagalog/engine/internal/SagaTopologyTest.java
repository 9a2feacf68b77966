package io.sagalog.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.Definition;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.DefinitionParser;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.JournalEvent;
import io.sagalog.schemas.avro.JournalRecord;
import io.sagalog.schemas.avro.Outcome;
import io.sagalog.schemas.avro.Phase;
import io.sagalog.schemas.avro.StepRequest;
import io.sagalog.schemas.avro.StepResult;
import io.sagalog.schemas.avro.TxRequested;
import io.sagalog.schemas.avro.TxStateRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SagaTopologyTest {
    private static final String TX = "6f1c2a52-0000-4000-8000-000000000001";
    private static final List<String> PARTICIPANTS = List.of("flights", "hotels", "payments");

    private TopologyTestDriver driver;
    private Properties props;
    private Definition trip;
    private TestInputTopic<String, ControlRecord> control;
    private TestOutputTopic<String, JournalRecord> journal;

    @BeforeEach
    void start() throws Exception {
        trip = DefinitionParser.parse("""
                {"name": "trip-booking", "steps": [
                  {"name": "flights", "participant": "flights", "action": "reserve", "compensation": "cancel"},
                  {"name": "hotels", "participant": "hotels", "action": "reserve", "compensation": "cancel"},
                  {"name": "payments", "participant": "payments", "action": "charge", "compensation": "refund"}
                ]}""", 1);
        props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        props.put(StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory("topology-test").toString());
        driver = new TopologyTestDriver(SagaTopology.build(DefinitionCatalog.of(List.of(trip))), props);
        control = driver.createInputTopic(Topics.CONTROL.name(), new StringSerializer(), Topics.CONTROL.serde());
        journal = driver.createOutputTopic(Topics.JOURNAL.name(), new StringDeserializer(), Topics.JOURNAL.serde());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void shouldDispatchEachStepToItsParticipantTopicAndCompleteTheTransaction() {
        control.pipeInput(TX, requested());
        for (String participant : PARTICIPANTS) {
            StepRequest request = onlyRequest(participant);
            assertThat(request.getPhase()).isEqualTo(Phase.ACTION);
            assertThat(request.getIdempotencyKey()).isEqualTo(TX + ":" + participant + ":action");
            control.pipeInput(TX, result(request, Outcome.SUCCEEDED));
        }

        assertThat(state().getStatus()).isEqualTo("COMPLETED");
        List<String> journaled = journalTypes();
        assertThat(journaled).containsExactly("TxStarted", "StepDispatched", "StepSucceeded", "StepDispatched",
                "StepSucceeded", "StepDispatched", "StepSucceeded", "TxCompleted");
        assertThat(historyTypes()).as("the history store holds what the journal got").isEqualTo(journaled);
    }

    @Test
    void shouldCompensateCompletedStepsInReverseOrderAfterAPermanentFailure() {
        control.pipeInput(TX, requested());
        control.pipeInput(TX, result(onlyRequest("flights"), Outcome.SUCCEEDED));
        control.pipeInput(TX, result(onlyRequest("hotels"), Outcome.SUCCEEDED));
        control.pipeInput(TX, result(onlyRequest("payments"), Outcome.FAILED_PERMANENT));

        StepRequest hotelsCancel = onlyRequest("hotels");
        assertThat(hotelsCancel.getPhase()).isEqualTo(Phase.COMPENSATION);
        assertThat(hotelsCancel.getHandler()).isEqualTo("cancel");
        assertThat(driver.createOutputTopic(Topics.steps("flights").name(), new StringDeserializer(),
                Topics.steps("flights").serde()).isEmpty()).as("flights waits until hotels is compensated").isTrue();
        control.pipeInput(TX, result(hotelsCancel, Outcome.SUCCEEDED));
        StepRequest flightsCancel = onlyRequest("flights");
        assertThat(flightsCancel.getPhase()).isEqualTo(Phase.COMPENSATION);
        control.pipeInput(TX, result(flightsCancel, Outcome.SUCCEEDED));

        assertThat(state().getStatus()).isEqualTo("ROLLED_BACK");
        assertThat(state().getSteps()).extracting(s -> s.getStatus())
                .containsExactly("COMPENSATED", "COMPENSATED", "FAILED");
    }

    @Test
    void shouldRedispatchWithTheSameKeyWhenNoResultArrivesBeforeTheTimeout() {
        control.pipeInput(TX, requested());
        StepRequest first = onlyRequest("flights");

        driver.advanceWallClockTime(Duration.ofSeconds(31)); // the step's timeout (30 s) passes
        driver.advanceWallClockTime(Duration.ofSeconds(1)); // and the retry's backoff (about 200 ms)

        StepRequest retry = onlyRequest("flights");
        assertThat(retry.getAttempt()).isEqualTo(2);
        assertThat(retry.getIdempotencyKey()).isEqualTo(first.getIdempotencyKey());
        assertThat(journalTypes()).containsSubsequence("StepDispatched", "StepTimedOut", "RecoveryDecided",
                "RetryScheduled", "StepDispatched");
        KeyValueStore<String, byte[]> deadlines = driver.getKeyValueStore(SagaTopology.DEADLINES);
        List<String> timers = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = deadlines.all()) {
            it.forEachRemaining(kv -> timers.add(kv.key));
        }
        assertThat(timers).as("the deadline and the new attempt's timeout").hasSize(2)
                .anyMatch(k -> k.contains("/STEP_TIMEOUT/ACTION/2/flights")).anyMatch(k -> k.contains("/DEADLINE/"));
    }

    @Test
    void shouldRebuildItsTimerIndexFromTheTransactionsWhenATaskStarts() throws Exception {
        // A task's stores as a restarted engine finds them: states and index restored, the timer index empty.
        io.sagalog.engine.TxState running = new io.sagalog.engine.Decider(DefinitionCatalog.of(List.of(trip)))
                .decide(null, new io.sagalog.engine.Input.TxRequested(TX, "trip-booking", "{}", null),
                        java.time.Instant.parse("2026-01-01T00:00:00Z")).state();
        org.apache.kafka.streams.processor.api.MockProcessorContext<String, Object> context =
                new org.apache.kafka.streams.processor.api.MockProcessorContext<>(props);
        context.setCurrentSystemTimeMs(0);
        memoryStore(SagaTopology.TX_EXPIRY, Serdes.String(), context);
        KeyValueStore<String, io.sagalog.schemas.avro.TxStateRecord> states = memoryStore(SagaTopology.TX_STATE,
                io.sagalog.schemas.AvroSerde.of(io.sagalog.schemas.avro.TxStateRecord.class), context);
        KeyValueStore<String, String> index = memoryStore(SagaTopology.TX_INDEX, Serdes.String(), context);
        KeyValueStore<String, byte[]> deadlines = memoryStore(SagaTopology.DEADLINES, Serdes.ByteArray(), context);
        memoryStore(SagaTopology.TX_HISTORY, io.sagalog.schemas.AvroSerde.of(io.sagalog.schemas.avro.JournalRecord.class),
                context);
        states.put(TX, WireCodec.record(running));
        TxIndex.update(index, TX, "trip-booking", running.createdAt().toEpochMilli(), null, running.status());

        new TransactionProcessor(new io.sagalog.engine.Decider(DefinitionCatalog.of(List.of(trip))), Duration.ofMillis(50),
                io.sagalog.engine.DecisionObserver.NONE, Duration.ofDays(7)).init(context);

        List<String> timers = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = deadlines.all()) {
            it.forEachRemaining(kv -> timers.add(kv.key));
        }
        assertThat(timers).as("the step's timeout and the deadline").hasSize(running.timers().size()).hasSize(2)
                .allMatch(k -> k.contains(TX));
    }

    private static <V> KeyValueStore<String, V> memoryStore(String name, org.apache.kafka.common.serialization.Serde<V> values,
            org.apache.kafka.streams.processor.api.MockProcessorContext<?, ?> context) {
        KeyValueStore<String, V> store = org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return store;
    }

    @Test
    void shouldLeaveNoTimerInTheStoreOnceATransactionCompleted() {
        control.pipeInput(TX, requested());
        for (String participant : PARTICIPANTS) {
            control.pipeInput(TX, result(onlyRequest(participant), Outcome.SUCCEEDED));
        }

        KeyValueStore<String, byte[]> deadlines = driver.getKeyValueStore(SagaTopology.DEADLINES);
        try (KeyValueIterator<String, byte[]> it = deadlines.all()) {
            assertThat(it.hasNext()).isFalse();
        }
    }

    @Test
    void shouldSkipUndecodableRecordsAndKeepServingOtherTransactions() {
        driver.createInputTopic(Topics.CONTROL.name(), new StringSerializer(), new ByteArraySerializer())
                .pipeInput("garbage", new byte[] {0x01, 0x02, 0x03});
        control.pipeInput(TX, requested());

        assertThat(onlyRequest("flights").getTxId()).isEqualTo(TX);
        assertThat(states()).containsOnlyKeys(TX);
    }

    @Test
    void shouldSkipARecordWhoseKeyDoesNotMatchItsTransaction() {
        control.pipeInput("someone-else", requested());

        assertThat(states()).isEmpty();
        assertThat(journal.isEmpty()).isTrue();
    }

    private static ControlRecord requested() {
        return ControlRecord.newBuilder().setTxId(TX).setAtMillis(0)
                .setBody(TxRequested.newBuilder().setDefinition("trip-booking").setInput("{\"who\":\"ada\"}").build())
                .build();
    }

    private static ControlRecord result(StepRequest request, Outcome outcome) {
        return ControlRecord.newBuilder().setTxId(TX).setAtMillis(0)
                .setBody(StepResult.newBuilder().setStep(request.getStep()).setAttempt(request.getAttempt())
                        .setPhase(request.getPhase()).setOutcome(outcome)
                        .setOutput(outcome == Outcome.SUCCEEDED ? "{\"ok\":true}" : null)
                        .setError(outcome == Outcome.SUCCEEDED ? null : "rejected").build())
                .build();
    }

    private StepRequest onlyRequest(String participant) {
        TestOutputTopic<String, StepRequest> topic = driver.createOutputTopic(Topics.steps(participant).name(),
                new StringDeserializer(), Topics.steps(participant).serde());
        List<StepRequest> requests = topic.readValuesToList();
        assertThat(requests).as("requests to %s", participant).hasSize(1);
        return requests.get(0);
    }

    private TxStateRecord state() {
        return states().get(TX);
    }

    private java.util.Map<String, TxStateRecord> states() {
        KeyValueStore<String, TxStateRecord> store = driver.getKeyValueStore(SagaTopology.TX_STATE);
        java.util.Map<String, TxStateRecord> all = new java.util.HashMap<>();
        try (KeyValueIterator<String, TxStateRecord> it = store.all()) {
            it.forEachRemaining(kv -> all.put(kv.key, kv.value));
        }
        return all;
    }

    private List<String> journalTypes() {
        List<String> types = new ArrayList<>();
        for (JournalRecord r : journal.readValuesToList()) {
            r.getEvents().forEach(e -> types.add(e.getType()));
        }
        return types;
    }

    private List<String> historyTypes() {
        KeyValueStore<String, JournalRecord> store = driver.getKeyValueStore(SagaTopology.TX_HISTORY);
        List<String> types = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();
        JournalRecord all = store.get(TX);
        for (JournalEvent e : all == null ? List.<JournalEvent>of() : all.getEvents()) {
            types.add(e.getType());
            seqs.add(e.getSeq());
        }
        assertThat(seqs).isSorted().doesNotHaveDuplicates();
        return types;
    }
}
