package io.sagalog.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.Definition;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.DefinitionParser;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.JournalRecord;
import io.sagalog.schemas.avro.StepRequest;
import io.sagalog.schemas.avro.TimerFired;
import io.sagalog.schemas.avro.TxRequested;
import io.sagalog.schemas.avro.TxStateRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The processor's side of issue 11: timers take effect through the log, decisions use the record's time, a
 * decision that fails parks one transaction and spares the others, and a transaction left without timers is
 * repaired by the sweep.
 */
class EngineFaultsTopologyTest {
    private static final String TX = "0190c2a5-0000-7000-8000-000000000001";
    private static final String OTHER = "0190c2a5-0000-7000-8000-000000000002";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private TopologyTestDriver driver;
    private TestInputTopic<String, ControlRecord> control;
    private TestOutputTopic<String, ControlRecord> controlOut;
    private TestOutputTopic<String, JournalRecord> journal;

    @BeforeEach
    void start() throws Exception {
        Definition trip = DefinitionParser.parse("""
                {"name": "trip-booking", "steps": [
                  {"name": "flights", "participant": "flights", "action": "reserve", "compensation": "cancel",
                   "timeout": "5s"},
                  {"name": "hotels", "participant": "hotels", "action": "reserve", "compensation": "cancel"}
                ]}""", 1);
        Definition broken = DefinitionParser.parse("""
                {"name": "broken", "steps": [
                  {"name": "boom", "participant": "boom", "action": "explode", "compensation": "undo"}
                ]}""", 1);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "faults-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory("faults-test").toString());
        // A bug that throws while deciding, for one participant only.
        java.util.function.Predicate<String> registered = participant -> {
            if (participant.equals("boom")) {
                throw new ArithmeticException("long overflow");
            }
            return true;
        };
        driver = new TopologyTestDriver(SagaTopology.build(io.sagalog.engine.Registrations.of(
                () -> DefinitionCatalog.of(List.of(trip, broken)), registered), io.sagalog.engine.DecisionObserver.NONE,
                io.sagalog.schemas.TopicNames.DEFAULT),
                props, T0);
        control = driver.createInputTopic(Topics.CONTROL.name(), new StringSerializer(), Topics.CONTROL.serde());
        controlOut = driver.createOutputTopic(Topics.CONTROL.name(), new StringDeserializer(), Topics.CONTROL.serde());
        journal = driver.createOutputTopic(Topics.JOURNAL.name(), new StringDeserializer(), Topics.JOURNAL.serde());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void shouldFireATimerByAppendingItToTheControlLogAndDecideWhenItIsReadBack() {
        control.pipeInput(TX, requested(TX, "trip-booking"), T0);
        assertThat(types()).doesNotContain("StepTimedOut");

        driver.advanceWallClockTime(Duration.ofSeconds(6)); // past the 5 s step timeout

        List<TimerFired> fired = controlOut.readValuesToList().stream().map(ControlRecord::getBody)
                .filter(TimerFired.class::isInstance).map(TimerFired.class::cast).toList();
        assertThat(fired).extracting(TimerFired::getKind).containsExactly("STEP_TIMEOUT");
        assertThat(fired.get(0).getStep()).isEqualTo("flights");
        assertThat(types()).contains("StepTimedOut", "RetryScheduled");
    }

    @Test
    void shouldDecideAtTheTimeOfTheRecordNotOfTheWallClock() {
        Instant recorded = T0.minus(Duration.ofDays(1));

        control.pipeInput(TX, requested(TX, "trip-booking"), recorded);

        TxStateRecord state = state(TX);
        assertThat(state.getCreatedAtMillis()).isEqualTo(recorded.toEpochMilli());
        StepRequest request = driver.createOutputTopic(Topics.steps("flights").name(), new StringDeserializer(),
                Topics.steps("flights").serde()).readValue();
        assertThat(request.getDeadlineMillis()).isEqualTo(recorded.plusSeconds(5).toEpochMilli());
    }

    @Test
    void shouldParkATransactionWhoseDecisionFailsAndKeepServingTheOthers() {
        control.pipeInput(TX, requested(TX, "broken"), T0);
        control.pipeInput(OTHER, requested(OTHER, "trip-booking"), T0);

        assertThat(state(TX).getStatus()).isEqualTo("PARKED");
        assertThat(state(TX).getReason()).startsWith("engine-error").contains("ArithmeticException");
        assertThat(state(OTHER).getStatus()).isEqualTo("RUNNING");
        assertThat(driver.createOutputTopic(Topics.steps("flights").name(), new StringDeserializer(),
                Topics.steps("flights").serde()).readValuesToList()).extracting(StepRequest::getTxId).containsExactly(OTHER);
    }

    @Test
    void shouldNameTheTransactionAndItsDefinitionInTheMdcOfTheLineThatParksIt() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(TransactionProcessor.class);
        // The MDC as it was when the line was written (an event reads it lazily otherwise).
        List<java.util.Map<String, String>> parkingLines = new java.util.concurrent.CopyOnWriteArrayList<>();
        var appender = new ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent>() {
            @Override
            protected void append(ch.qos.logback.classic.spi.ILoggingEvent e) {
                if (e.getFormattedMessage().contains("parking it")) {
                    parkingLines.add(java.util.Map.copyOf(e.getMDCPropertyMap()));
                }
            }
        };
        appender.start();
        logger.addAppender(appender);
        try {
            control.pipeInput(TX, requested(TX, "broken"), T0);
        } finally {
            logger.detachAppender(appender);
        }

        assertThat(parkingLines).singleElement().satisfies(mdc -> assertThat(mdc).containsEntry("txId", TX)
                .containsEntry("definition", "broken"));
        assertThat(org.slf4j.MDC.get("txId")).as("not left behind on the stream thread").isNull();
    }

    @Test
    void shouldRepairATransactionLeftWithoutTimers() {
        control.pipeInput(TX, requested(TX, "trip-booking"), T0);
        // As if a crash between store flushes had lost its timers: the state says RUNNING, nothing would fire.
        KeyValueStore<String, TxStateRecord> states = driver.getKeyValueStore(SagaTopology.TX_STATE);
        TxStateRecord lost = states.get(TX);
        lost.setTimers(List.of());
        states.put(TX, lost);
        KeyValueStore<String, byte[]> deadlines = driver.getKeyValueStore(SagaTopology.DEADLINES);
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = deadlines.all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.forEach(deadlines::delete);

        driver.advanceWallClockTime(TransactionProcessor.SWEEP_INTERVAL.plusSeconds(1));

        assertThat(types()).contains("TimersRepaired", "StepTimedOut");
        assertThat(state(TX).getTimers()).isNotEmpty();
    }

    @Test
    void shouldFindATransactionInFlightThatIsMissingFromTheIndexAndFireItsTimers() {
        control.pipeInput(TX, requested(TX, "trip-booking"), T0);
        // As if tx-index had lost its last commit in a crash: the state says RUNNING, no index entry, no timer indexed.
        KeyValueStore<String, String> index = driver.getKeyValueStore(SagaTopology.TX_INDEX);
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, String> it = index.all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.forEach(index::delete);
        KeyValueStore<String, byte[]> deadlines = driver.getKeyValueStore(SagaTopology.DEADLINES);
        List<String> timers = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = deadlines.all()) {
            it.forEachRemaining(kv -> timers.add(kv.key));
        }
        timers.forEach(deadlines::delete);

        driver.advanceWallClockTime(TransactionProcessor.SWEEP_INTERVAL.plusSeconds(1));
        driver.advanceWallClockTime(Duration.ofMillis(100)); // the next timer tick

        assertThat(index.get("c|trip-booking|RUNNING")).isEqualTo("1");
        assertThat(types()).contains("StepTimedOut"); // its 5 s step timeout fired once it was indexed again
    }

    private static ControlRecord requested(String txId, String definition) {
        return ControlRecord.newBuilder().setTxId(txId).setAtMillis(0)
                .setBody(TxRequested.newBuilder().setDefinition(definition).setInput("{}").build()).build();
    }

    private TxStateRecord state(String txId) {
        KeyValueStore<String, TxStateRecord> store = driver.getKeyValueStore(SagaTopology.TX_STATE);
        return store.get(txId);
    }

    private List<String> types() {
        List<String> types = new ArrayList<>();
        for (JournalRecord r : journal.readValuesToList()) {
            r.getEvents().forEach(e -> types.add(e.getType()));
        }
        return types;
    }
}
