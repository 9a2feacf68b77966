package io.sagalog.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.DefinitionParser;
import io.sagalog.engine.Registrations;
import io.sagalog.engine.Retention;
import io.sagalog.engine.DecisionObserver;
import io.sagalog.engine.trace.FinishedSpan;
import io.sagalog.engine.trace.SpanSink;
import io.sagalog.schemas.TopicNames;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.Outcome;
import io.sagalog.schemas.avro.StepRequest;
import io.sagalog.schemas.avro.StepResult;
import io.sagalog.schemas.avro.TxRequested;
import io.sagalog.tracing.SagaSpanIds;
import io.sagalog.tracing.TraceParent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The spans a transaction's decisions finish: their ids and times come from the log, so replaying the same records
 * (a new instance, state lost) yields the very same spans; a transaction without a trace context yields none.
 */
class DecisionSpansTest {
    private static final String TX = "6f1c2a52-0000-4000-8000-0000000000aa";
    private static final TraceParent POST = new TraceParent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true);

    @Test
    void spansCarryTheRecordedTimesAndDerivedIds() throws Exception {
        List<FinishedSpan> spans = run(POST);

        assertThat(spans).extracting(FinishedSpan::name).containsExactly("step flights", "step hotels",
                "transaction trip-booking");
        FinishedSpan flights = spans.get(0);
        assertThat(flights.startMillis()).isEqualTo(1_000); // dispatched when the request's record was decided
        assertThat(flights.endMillis()).isEqualTo(2_000); // ended at its result's record time
        assertThat(flights.context()).isEqualTo(POST.withSpanId(SagaSpanIds.attempt(POST.traceId(), TX, "flights",
                "ACTION", 1)));
        assertThat(flights.parentSpanId()).isEqualTo(SagaSpanIds.transaction(POST.traceId(), TX));
        assertThat(flights.attributes()).containsEntry(FinishedSpan.TX_ID, TX)
                .containsEntry(FinishedSpan.DEFINITION, "trip-booking").containsEntry(FinishedSpan.STEP, "flights")
                .containsEntry(FinishedSpan.ATTEMPT, 1L).containsEntry(FinishedSpan.PHASE, "ACTION")
                .containsEntry(FinishedSpan.OUTCOME, "SUCCEEDED");
        FinishedSpan hotels = spans.get(1);
        assertThat(hotels.startMillis()).isEqualTo(2_000);
        assertThat(hotels.endMillis()).isEqualTo(3_000);
        FinishedSpan transaction = spans.get(2);
        assertThat(transaction.parentSpanId()).isEqualTo(POST.spanId());
        assertThat(transaction.startMillis()).isEqualTo(1_000);
        assertThat(transaction.endMillis()).isEqualTo(3_000);
        assertThat(transaction.attributes()).containsEntry(FinishedSpan.OUTCOME, "COMPLETED");
        assertThat(transaction.error()).isFalse();
    }

    @Test
    void replayingTheSameLogGivesTheSameSpans() throws Exception {
        assertThat(run(POST)).isEqualTo(run(POST)).hasSize(3);
    }

    @Test
    void aTransactionWithoutTraceContextFinishesNoSpans() throws Exception {
        assertThat(run(POST)).as("positive control").isNotEmpty();
        assertThat(run(null)).isEmpty();
    }

    /** One two-step transaction through a fresh topology: request at 1 s, results at 2 s and 3 s. */
    private static List<FinishedSpan> run(TraceParent trace) throws Exception {
        List<FinishedSpan> spans = new ArrayList<>();
        SpanSink sink = spans::add;
        var definitions = DefinitionCatalog.of(List.of(DefinitionParser.parse("""
                {"name": "trip-booking", "steps": [
                  {"name": "flights", "participant": "flights", "action": "reserve", "compensation": "cancel"},
                  {"name": "hotels", "participant": "hotels", "action": "reserve", "compensation": "cancel"}
                ]}""", 1)));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "spans-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory("spans-test").toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(SagaTopology.build(Registrations.fixed(definitions),
                DecisionObserver.NONE, TopicNames.DEFAULT, Retention.DEFAULTS, sink), props)) {
            TestInputTopic<String, ControlRecord> control = driver.createInputTopic(Topics.CONTROL.name(),
                    new StringSerializer(), Topics.CONTROL.serde());
            control.pipeInput(new TestRecord<>(TX, ControlRecord.newBuilder().setTxId(TX).setAtMillis(1_000)
                    .setBody(TxRequested.newBuilder().setDefinition("trip-booking").setInput("{}").build()).build(),
                    trace == null ? new RecordHeaders() : trace.asHeaders(), Instant.ofEpochMilli(1_000)));
            long at = 2_000;
            for (String step : List.of("flights", "hotels")) {
                List<TestRecord<String, StepRequest>> requests = driver.createOutputTopic(Topics.steps(step).name(),
                        new StringDeserializer(), Topics.steps(step).serde()).readRecordsToList();
                assertThat(requests).hasSize(1);
                StepRequest request = requests.get(0).value();
                // The participant's parent is the attempt's span.
                assertThat(TraceParent.from(requests.get(0).headers())).isEqualTo(trace == null
                        ? java.util.Optional.empty() : java.util.Optional.of(trace.withSpanId(SagaSpanIds.attempt(
                        trace.traceId(), TX, step, "ACTION", 1))));
                control.pipeInput(TX, ControlRecord.newBuilder().setTxId(TX).setAtMillis(at)
                        .setBody(StepResult.newBuilder().setStep(step).setAttempt(request.getAttempt())
                                .setPhase(request.getPhase()).setOutcome(Outcome.SUCCEEDED).setOutput("{}").build())
                        .build(), Instant.ofEpochMilli(at));
                at += 1_000;
            }
        }
        return spans;
    }
}
