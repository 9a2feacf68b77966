package io.sagalog.engine.internal;

import io.sagalog.engine.Decider;
import io.sagalog.engine.Decision;
import io.sagalog.engine.Input;
import io.sagalog.engine.StepCommand;
import io.sagalog.engine.TxState;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.JournalRecord;
import io.sagalog.schemas.avro.TxStateRecord;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka shell around the {@link Decider}: load the transaction's state, decide, store the new state,
 * and forward the effects (journal record, step requests). No network I/O happens here.
 */
final class TransactionProcessor implements Processor<String, ControlRecord, String, SpecificRecord> {
    private static final Logger log = LoggerFactory.getLogger(TransactionProcessor.class);

    private final Decider decider;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, TxStateRecord> states;
    private KeyValueStore<String, JournalRecord> history;

    TransactionProcessor(Decider decider) {
        this.decider = decider;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.states = context.getStateStore(SagaTopology.TX_STATE);
        this.history = context.getStateStore(SagaTopology.TX_HISTORY);
    }

    @Override
    public void process(Record<String, ControlRecord> record) {
        ControlRecord value = record.value();
        if (value == null || record.key() == null || !record.key().equals(value.getTxId())) {
            log.warn("skipping control record whose key {} does not match its txId {}", record.key(),
                    value == null ? null : value.getTxId());
            return;
        }
        String txId = record.key();
        Decision decision;
        try {
            Input input = WireCodec.input(value);
            TxState state = WireCodec.state(states.get(txId));
            decision = decider.decide(state, input, Instant.ofEpochMilli(context.currentSystemTimeMs()));
        } catch (RuntimeException e) {
            // One bad input must not stop every other transaction: report it and leave this one untouched.
            log.error("cannot apply control record to transaction {}; it is left unchanged", txId, e);
            return;
        }
        if (decision.state() != null) {
            states.put(txId, WireCodec.record(decision.state()));
        }
        if (!decision.journal().isEmpty()) {
            JournalRecord journal = WireCodec.journal(txId, decision.journal());
            history.put(HistoryKeys.key(txId, decision.journal().get(0).seq()), journal);
            context.forward(record.withValue((SpecificRecord) journal), SagaTopology.JOURNAL_SINK);
        }
        for (StepCommand command : decision.commands()) {
            context.forward(record.withValue((SpecificRecord) WireCodec.request(command)), SagaTopology.STEPS_SINK);
        }
    }
}
