package io.sagalog.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagalog.engine.Definition;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.DefinitionParser;
import io.sagalog.engine.Retention;
import io.sagalog.schemas.TopicNames;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.JournalRecord;
import io.sagalog.schemas.avro.OperatorCommand;
import io.sagalog.schemas.avro.Outcome;
import io.sagalog.schemas.avro.StepRequest;
import io.sagalog.schemas.avro.StepResult;
import io.sagalog.schemas.avro.TxRequested;
import io.sagalog.schemas.avro.TxStateRecord;
import java.time.Duration;
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

/** Expiry carried out by the topology: archive, eviction from all three stores, the marker, late inputs. */
class RetentionTopologyTest {
    private static final String TX = "6f1c2a52-0000-4000-8000-0000000000e1";
    private static final Retention SECONDS = new Retention(Duration.ofSeconds(5), Duration.ofSeconds(5),
            Duration.ofSeconds(5), Duration.ofHours(1));

    private TopologyTestDriver driver;
    private TestInputTopic<String, ControlRecord> control;
    private TestOutputTopic<String, JournalRecord> journal;
    private TestOutputTopic<String, String> archive;
    private final List<String> journaled = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Definition oneStep = DefinitionParser.parse("""
                {"name": "pay", "steps": [
                  {"name": "charge", "participant": "payments", "action": "charge", "compensation": "refund"}]}""", 1);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "retention-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory("retention-test").toString());
        driver = new TopologyTestDriver(SagaTopology.build(io.sagalog.engine.Registrations.fixed(
                DefinitionCatalog.of(List.of(oneStep))), io.sagalog.engine.DecisionObserver.NONE, TopicNames.DEFAULT,
                SECONDS), props);
        control = driver.createInputTopic(Topics.CONTROL.name(), new StringSerializer(), Topics.CONTROL.serde());
        journal = driver.createOutputTopic(Topics.JOURNAL.name(), new StringDeserializer(), Topics.JOURNAL.serde());
        archive = driver.createOutputTopic(TopicNames.DEFAULT.archive(), new StringDeserializer(), new StringDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void complete() {
        control.pipeInput(TX, ControlRecord.newBuilder().setTxId(TX).setAtMillis(0).setBody(TxRequested.newBuilder()
                .setDefinition("pay").setInput("{\"amount\":\"12.50\"}").build()).build());
        StepRequest request = driver.createOutputTopic(Topics.steps("payments").name(), new StringDeserializer(),
                Topics.steps("payments").serde()).readValue();
        control.pipeInput(TX, ControlRecord.newBuilder().setTxId(TX).setAtMillis(0).setBody(StepResult.newBuilder()
                .setStep(request.getStep()).setAttempt(request.getAttempt()).setPhase(request.getPhase())
                .setOutcome(Outcome.SUCCEEDED).setOutput("{\"receipt\":\"r-1\"}").build()).build());
        assertThat(state().getStatus()).isEqualTo("COMPLETED");
    }

    private void operator(String actionId, String action) {
        control.pipeInput(TX, ControlRecord.newBuilder().setTxId(TX).setAtMillis(0).setBody(OperatorCommand.newBuilder()
                .setActionId(actionId).setAction(action).setReason("audit").setActor("token:abc123").build()).build());
    }

    /** Moves the wall clock in small ticks, so the punctuator's scans and the records it appends interleave. */
    private void runFor(Duration d) {
        for (long ms = 0; ms < d.toMillis(); ms += 250) {
            driver.advanceWallClockTime(Duration.ofMillis(250));
        }
    }

    @Test
    void archiveHoldsFinalStateAndHistoryBeforeEviction() throws Exception {
        complete();
        List<String> history = journalTypes();
        runFor(Duration.ofSeconds(2));
        assertThat(archive.isEmpty()).as("not before its retention is over").isTrue();
        assertThat(state()).isNotNull();

        runFor(Duration.ofSeconds(5));

        List<String> archived = archive.readValuesToList();
        assertThat(archived).hasSize(1);
        JsonNode record = ArchiveJson.read(archived.get(0));
        assertThat(record.get("format").asText()).isEqualTo(ArchiveJson.FORMAT);
        assertThat(record.get("txId").asText()).isEqualTo(TX);
        assertThat(record.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(record.get("input").get("amount").asText()).isEqualTo("12.50");
        assertThat(record.get("steps").get(0).get("output").get("receipt").asText()).isEqualTo("r-1");
        assertThat(record.get("historyComplete").asBoolean()).isTrue();
        List<String> archivedTypes = new ArrayList<>();
        record.get("history").forEach(e -> archivedTypes.add(e.get("type").asText()));
        assertThat(archivedTypes).as("the full history, as journaled").isEqualTo(history);

        assertThat(state()).as("evicted from tx-state").isNull();
        assertThat(driver.<String, JournalRecord>getKeyValueStore(SagaTopology.TX_HISTORY).get(TX)).isNull();
        assertThat(keys(SagaTopology.TX_INDEX)).as("entries and counts gone from tx-index").isEmpty();
        assertThat(journalTypes()).containsExactly("TxExpired");
        assertThat(ExpiryIndex.parseMarker(TX, driver.<String, String>getKeyValueStore(SagaTopology.TX_EXPIRY)
                .get("x|" + TX))).as("the marker").isNotNull();
    }

    @Test
    void lateResultAfterExpiryDoesNotResurrect() {
        complete();
        runFor(Duration.ofSeconds(7));
        assertThat(state()).isNull();
        journalTypes();

        control.pipeInput(TX, ControlRecord.newBuilder().setTxId(TX).setAtMillis(0).setBody(StepResult.newBuilder()
                .setStep("charge").setAttempt(1).setPhase(io.sagalog.schemas.avro.Phase.ACTION)
                .setOutcome(Outcome.SUCCEEDED).setOutput("{}").build()).build());
        control.pipeInput(TX, ControlRecord.newBuilder().setTxId(TX).setAtMillis(0).setBody(TxRequested.newBuilder()
                .setDefinition("pay").setInput("{}").build()).build());

        assertThat(state()).as("a repeated request does not start it again").isNull();
        assertThat(driver.<String, JournalRecord>getKeyValueStore(SagaTopology.TX_HISTORY).get(TX)).isNull();
        List<JournalRecord> records = journal.readValuesToList();
        assertThat(records).flatExtracting(JournalRecord::getEvents).extracting(e -> e.getType())
                .containsExactly("InputAfterExpiry", "InputAfterExpiry");
        assertThat(records).flatExtracting(JournalRecord::getEvents).extracting(e -> e.getSeq())
                .as("numbered after TxExpired (seq 4)").containsExactly(5L, 6L);
        assertThat(archive.readValuesToList()).as("archived once").hasSize(1);
    }

    @Test
    void aReplayOfTheExpiryAfterACrashExpiresNothingTwice() {
        complete();
        io.sagalog.schemas.avro.TxStateRecord finished = state();
        runFor(Duration.ofSeconds(7));
        assertThat(state()).isNull();
        assertThat(archive.readValuesToList()).hasSize(1);
        journalTypes();

        // What a crash before the offsets' commit replays: the expiry and the eviction, read again.
        for (io.sagalog.engine.Timer timer : List.of(io.sagalog.engine.Timer.expire(java.time.Instant.ofEpochMilli(
                finished.getExpiresAtMillis())), io.sagalog.engine.Timer.evict(java.time.Instant.ofEpochMilli(
                finished.getExpiresAtMillis())))) {
            control.pipeInput(TX, WireCodec.timerFired(TX, timer, finished.getExpiresAtMillis()));
        }
        // Positive control after them on the same partition: a late result, journaled, so the replay was read.
        control.pipeInput(TX, ControlRecord.newBuilder().setTxId(TX).setAtMillis(0).setBody(StepResult.newBuilder()
                .setStep("charge").setAttempt(1).setPhase(io.sagalog.schemas.avro.Phase.ACTION)
                .setOutcome(Outcome.SUCCEEDED).setOutput("{}").build()).build());

        assertThat(journalTypes()).as("the replayed timers leave no trace").containsExactly("InputAfterExpiry");
        assertThat(archive.readValuesToList()).as("archived once").isEmpty();
        assertThat(state()).isNull();
    }

    @Test
    void heldTransactionOutlivesRetention() {
        complete();
        operator("hold-1", "hold");
        runFor(Duration.ofSeconds(10));
        assertThat(state()).as("held past its retention").isNotNull();
        assertThat(state().getHeld()).isTrue();
        assertThat(archive.isEmpty()).isTrue();

        operator("release-1", "release");
        runFor(Duration.ofSeconds(7));
        assertThat(state()).as("released, it expires").isNull();
        assertThat(archive.readValuesToList()).hasSize(1);
    }

    private TxStateRecord state() {
        return driver.<String, TxStateRecord>getKeyValueStore(SagaTopology.TX_STATE).get(TX);
    }

    private List<String> keys(String store) {
        KeyValueStore<String, Object> s = driver.getKeyValueStore(store);
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, Object> it = s.all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        return keys;
    }

    private List<String> journalTypes() {
        List<String> types = new ArrayList<>();
        for (JournalRecord r : journal.readValuesToList()) {
            r.getEvents().forEach(e -> types.add(e.getType()));
        }
        return types;
    }
}
