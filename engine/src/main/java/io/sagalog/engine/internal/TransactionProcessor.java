package io.sagalog.engine.internal;

import io.sagalog.engine.Decider;
import io.sagalog.engine.Decision;
import io.sagalog.engine.DecisionObserver;
import io.sagalog.engine.Input;
import io.sagalog.engine.StepCommand;
import io.sagalog.engine.TimerCommand;
import io.sagalog.engine.TxState;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.JournalRecord;
import io.sagalog.schemas.avro.TxStateRecord;
import java.time.Duration;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka shell around the {@link Decider}: load the transaction's state, decide, store the new state, and
 * carry out the effects (journal record, step requests, timer changes). Inputs come from the control log and
 * from a wall-clock punctuator that fires due timers. No network I/O happens here.
 */
final class TransactionProcessor implements Processor<String, ControlRecord, String, SpecificRecord> {
    private static final Logger log = LoggerFactory.getLogger(TransactionProcessor.class);
    /** Upper bound of timers fired per tick, so one tick never stalls the stream thread for long. */
    private static final int MAX_TIMERS_PER_TICK = 5_000;
    private static final byte[] TIMER_VALUE = {1};
    /** Events kept per transaction in tx-history; the journal topic keeps every one. */
    static final int MAX_HISTORY_EVENTS = 2_000;
    /** No input for this long means the task has read its backlog; timers may then fire by the wall clock. */
    private static final long IDLE_MILLIS = 250;
    /** After start, how long to wait for the first input before assuming there is no backlog. */
    private static final long STARTUP_GRACE_MILLIS = 2_000;

    private final Decider decider;
    private final DecisionObserver observer;
    private final Duration timerTick;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, TxStateRecord> states;
    private KeyValueStore<String, JournalRecord> history;
    private KeyValueStore<String, byte[]> deadlines;
    private KeyValueStore<String, String> index;
    /** The newest record timestamp this task has processed: how far it has read the log. */
    private long logTime = Long.MIN_VALUE;
    /** Wall-clock time of the last input processed (or of the start), to tell "busy reading" from "caught up". */
    private long lastInputWallTime;
    private long idleAfterMillis = STARTUP_GRACE_MILLIS;
    /** Timers due before this have all fired (timers are never scheduled in the past); scans start here. */
    private long scanFromMillis = 0;
    /** Room for small wall-clock steps backwards between ticks. */
    private static final long SCAN_SLACK_MILLIS = 1_000;

    TransactionProcessor(Decider decider, Duration timerTick, DecisionObserver observer) {
        this.decider = decider;
        this.observer = observer;
        this.timerTick = timerTick;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.states = context.getStateStore(SagaTopology.TX_STATE);
        this.history = context.getStateStore(SagaTopology.TX_HISTORY);
        this.deadlines = context.getStateStore(SagaTopology.DEADLINES);
        this.index = context.getStateStore(SagaTopology.TX_INDEX);
        rebuildTimerIndex();
        this.lastInputWallTime = context.currentSystemTimeMs();
        context.schedule(timerTick, PunctuationType.WALL_CLOCK_TIME, this::fireDueTimers);
    }

    /**
     * The timer index lives in memory; the timers themselves are part of each transaction's state. Only unfinished
     * transactions have timers, and tx-index lists exactly those, so the rebuild reads O(in flight), not every
     * transaction ever run.
     */
    private void rebuildTimerIndex() {
        long started = System.nanoTime();
        int[] counts = new int[2];
        for (io.sagalog.engine.TxStatus status : java.util.List.of(io.sagalog.engine.TxStatus.RUNNING,
                io.sagalog.engine.TxStatus.COMPENSATING, io.sagalog.engine.TxStatus.PARKED)) {
            TxIndex.forEach(index, status, txId -> {
                TxState state = WireCodec.state(states.get(txId));
                if (state != null) {
                    counts[0]++;
                    for (io.sagalog.engine.Timer timer : state.timers()) {
                        deadlines.put(TimerKeys.key(txId, timer), TIMER_VALUE);
                        counts[1]++;
                    }
                }
            });
        }
        if (counts[0] > 0) {
            log.info("task {}: {} timers of {} unfinished transactions indexed in {} ms", context.taskId(), counts[1],
                    counts[0], (System.nanoTime() - started) / 1_000_000);
        }
    }

    /**
     * A transaction's history is one entry of tx-history holding all its events: each decision rewrites it, and the
     * store's cache folds the rewrites of one commit interval into one changelog record (one key per decision would
     * write one record per decision). Very long histories keep their newest events; the journal topic has them all.
     */
    private void appendHistory(String txId, JournalRecord decision) {
        JournalRecord existing = history.get(txId);
        if (existing == null) {
            history.put(txId, decision);
            return;
        }
        java.util.List<io.sagalog.schemas.avro.JournalEvent> events = new java.util.ArrayList<>(existing.getEvents());
        events.addAll(decision.getEvents());
        if (events.size() > MAX_HISTORY_EVENTS) {
            events = new java.util.ArrayList<>(events.subList(events.size() - MAX_HISTORY_EVENTS, events.size()));
        }
        history.put(txId, JournalRecord.newBuilder().setTxId(txId).setEvents(events).build());
    }

    @Override
    public void process(Record<String, ControlRecord> record) {
        ControlRecord value = record.value();
        if (value == null || record.key() == null || !record.key().equals(value.getTxId())) {
            log.warn("skipping control record whose key {} does not match its txId {}", record.key(),
                    value == null ? null : value.getTxId());
            return;
        }
        logTime = Math.max(logTime, record.timestamp());
        lastInputWallTime = context.currentSystemTimeMs();
        idleAfterMillis = IDLE_MILLIS;
        Input input;
        try {
            input = WireCodec.input(value);
        } catch (RuntimeException e) {
            log.error("skipping control record of transaction {} that this engine cannot read", record.key(), e);
            return;
        }
        apply(record.key(), input, record.timestamp());
    }

    /**
     * Feeds every due timer to the decider; the scan visits due timers only. While the task is still reading a
     * backlog (after a restart, or when it lags), timers fire only up to the time of the log it has read: a result
     * that is already in the log must be applied before its attempt can be declared timed out. Once no input has
     * arrived for a moment, the task has caught up and timers fire by the wall clock.
     */
    private void fireDueTimers(long nowMillis) {
        boolean caughtUp = nowMillis - lastInputWallTime >= idleAfterMillis;
        long horizon = caughtUp ? nowMillis : Math.min(nowMillis, logTime);
        if (horizon == Long.MIN_VALUE) {
            return;
        }
        java.util.List<TimerKeys.Parsed> dueTimers = DueTimers.collect(deadlines::range, Instant.ofEpochMilli(scanFromMillis),
                Instant.ofEpochMilli(horizon), MAX_TIMERS_PER_TICK);
        for (TimerKeys.Parsed due : dueTimers) {
            deadlines.delete(TimerKeys.key(due.txId(), due.timer()));
            apply(due.txId(), new Input.TimerFired(due.txId(), due.timer()), nowMillis);
        }
        scanFromMillis = dueTimers.size() == MAX_TIMERS_PER_TICK
                ? dueTimers.get(dueTimers.size() - 1).timer().due().toEpochMilli()
                : Math.max(scanFromMillis, horizon - SCAN_SLACK_MILLIS);
    }

    private void apply(String txId, Input input, long timestamp) {
        Decision decision;
        TxState state;
        Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
        try {
            state = WireCodec.state(states.get(txId));
            decision = decider.decide(state, input, now);
        } catch (RuntimeException e) {
            // One bad input must not stop every other transaction: report it and leave this one untouched.
            log.error("cannot apply {} to transaction {}; it is left unchanged", input.getClass().getSimpleName(), txId, e);
            return;
        }
        try {
            observer.decided(state, input, decision, now);
        } catch (RuntimeException e) {
            log.warn("the decision observer failed on transaction {}: {}", txId, e.toString());
        }
        if (decision.state() != null) {
            TxState next = decision.state();
            states.put(txId, WireCodec.record(next));
            TxIndex.update(index, txId, next.definition(), next.createdAt().toEpochMilli(),
                    state == null ? null : state.status(), next.status());
        }
        for (TimerCommand command : decision.timers()) {
            String key = TimerKeys.key(txId, command.timer());
            if (command instanceof TimerCommand.Schedule) {
                deadlines.put(key, TIMER_VALUE);
            } else {
                deadlines.delete(key);
            }
        }
        if (!decision.journal().isEmpty()) {
            JournalRecord journal = WireCodec.journal(txId, decision.journal());
            appendHistory(txId, journal);
            context.forward(new Record<>(txId, (SpecificRecord) journal, timestamp), SagaTopology.JOURNAL_SINK);
        }
        for (StepCommand command : decision.commands()) {
            context.forward(new Record<>(txId, (SpecificRecord) WireCodec.request(command), timestamp),
                    SagaTopology.STEPS_SINK);
        }
    }
}
