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
import io.sagalog.schemas.avro.StepRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 * carry out the effects (journal record, step requests, timer changes). No network I/O happens here.
 *
 * <p>Every input comes from the control log, timers too: a wall-clock punctuator only <em>appends</em> a
 * {@code TimerFired} record for each due timer, and the decision happens when that record is read back, at the
 * record's own time. So the decisions are a function of the log alone: after a crash, the replay of the same records
 * repeats the same decisions and sends the same step requests (which idempotency keys deduplicate), whatever the
 * wall clock does meanwhile (DESIGN section 6, "Replay must repeat the same path").
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
    /** How often the sweep looks for transactions in flight without any timer, and how many it reads per look. */
    static final Duration SWEEP_INTERVAL = Duration.ofSeconds(5);
    private static final int SWEEP_BATCH = 500;
    /** Where the sweep goes on next time: the status it is in and the index cursor in it (null: from the start). */
    private int sweepStatus;
    private String sweepCursor;
    /** States read per sweep from tx-state itself, in key order, whatever tx-index says; and where to go on. */
    private static final int STATE_WALK_BATCH = 200;
    private String stateWalkFrom;

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
        context.schedule(SWEEP_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::sweep);
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
                        index(txId, timer);
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
        long last = events.isEmpty() ? -1 : events.get(events.size() - 1).getSeq();
        // A replay after a crash repeats decisions whose events the history already holds (same seqs): keep one copy.
        decision.getEvents().stream().filter(e -> e.getSeq() > last).forEach(events::add);
        if (events.size() > MAX_HISTORY_EVENTS) {
            events = new java.util.ArrayList<>(events.subList(events.size() - MAX_HISTORY_EVENTS, events.size()));
        }
        history.put(txId, JournalRecord.newBuilder().setTxId(txId).setEvents(events).build());
    }

    private void index(String txId, io.sagalog.engine.Timer timer) {
        deadlines.put(TimerKeys.key(txId, timer), TIMER_VALUE);
        // A timer may be due before where the scans start (a decision at an old record's time, while catching up):
        // move the start back so it is never skipped.
        scanFromMillis = Math.min(scanFromMillis, WireCodec.millis(timer.due()));
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
     * A slow look, a batch at a time, at the transactions in flight (RUNNING, COMPENSATING): one with no timer at all
     * would never move again (a timer lost to a bug or a crash between store flushes), so the sweep asks the decider
     * to repair it through the log; one whose timers are missing from the in-memory index gets them indexed again.
     */
    private void sweep(long nowMillis) {
        List<io.sagalog.engine.TxStatus> statuses = List.of(io.sagalog.engine.TxStatus.RUNNING,
                io.sagalog.engine.TxStatus.COMPENSATING);
        List<TxIndex.Entry> batch = TxIndex.list(index, statuses.get(sweepStatus), null, sweepCursor, SWEEP_BATCH);
        for (TxIndex.Entry entry : batch) {
            TxState state = WireCodec.state(states.get(entry.txId()));
            if (state == null || !statuses.contains(state.status())) {
                continue;
            }
            if (state.timers().isEmpty()) {
                log.warn("transaction {} is {} without any timer; asking the decider to repair it", state.txId(),
                        state.status());
                appendTimerFired(state.txId(), io.sagalog.engine.Timer.repair(Instant.ofEpochMilli(nowMillis)), nowMillis);
                continue;
            }
            for (io.sagalog.engine.Timer timer : state.timers()) {
                String key = key(state.txId(), timer);
                Long firedAt = firing.get(key);
                // A timer appended as TimerFired is out of the index until its record is read back (within moments);
                // one still not read back after a while was lost on the way (an aborted transaction): index it again.
                if (deadlines.get(key) == null && (firedAt == null || nowMillis - firedAt > FIRING_GRACE_MILLIS)) {
                    firing.remove(key);
                    log.warn("timer {} of transaction {} was missing from the timer index; indexed again", timer,
                            state.txId());
                    index(state.txId(), timer);
                }
            }
        }
        if (batch.size() < SWEEP_BATCH) {
            sweepStatus = (sweepStatus + 1) % statuses.size();
            sweepCursor = null;
        } else {
            sweepCursor = TxIndex.cursorAfter(batch.get(batch.size() - 1));
        }
        walkStates();
    }

    /**
     * The last net, slow and independent of tx-index: a few states a tick, all of tx-state in turn. A transaction in
     * flight whose tx-index entry is missing (the index's changelog lost the last commit before a crash) would be
     * seen neither by the timer index rebuild nor by the sweep above; it gets its entry back and its timers indexed.
     */
    private void walkStates() {
        int read = 0;
        String last = null;
        try (org.apache.kafka.streams.state.KeyValueIterator<String, TxStateRecord> it = stateWalkFrom == null
                ? states.all() : states.range(stateWalkFrom, null)) {
            while (it.hasNext() && read < STATE_WALK_BATCH) {
                var next = it.next();
                read++;
                last = next.key;
                if (next.key.equals(stateWalkFrom)) {
                    continue;
                }
                io.sagalog.engine.TxStatus status = io.sagalog.engine.TxStatus.valueOf(next.value.getStatus());
                if (status.isFinal() || TxIndex.contains(index, next.key, next.value.getCreatedAtMillis(), status)) {
                    continue;
                }
                log.warn("transaction {} is {} but missing from tx-index; indexed again with its timers", next.key, status);
                TxIndex.update(index, next.key, next.value.getDefinition(), next.value.getCreatedAtMillis(), null, status);
                for (io.sagalog.engine.Timer timer : WireCodec.state(next.value).timers()) {
                    index(next.key, timer);
                }
            }
        }
        stateWalkFrom = read < STATE_WALK_BATCH ? null : last;
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
        if (horizon < scanFromMillis) {
            return; // nothing can be due yet (the log time lags where the scans start)
        }
        java.util.List<TimerKeys.Parsed> dueTimers = DueTimers.collect(deadlines::range, Instant.ofEpochMilli(scanFromMillis),
                Instant.ofEpochMilli(horizon), MAX_TIMERS_PER_TICK);
        for (TimerKeys.Parsed due : dueTimers) {
            // Out of the index, onto the log: the timer stays in the transaction's state until its TimerFired is read
            // back and decided on, so a crash before that loses nothing (the index is rebuilt from the states).
            deadlines.delete(TimerKeys.key(due.txId(), due.timer()));
            appendTimerFired(due.txId(), due.timer(), nowMillis);
        }
        scanFromMillis = dueTimers.size() == MAX_TIMERS_PER_TICK
                ? dueTimers.get(dueTimers.size() - 1).timer().due().toEpochMilli()
                : Math.max(scanFromMillis, horizon - SCAN_SLACK_MILLIS);
    }

    /**
     * Timers appended to the log and not read back yet (timer key to the wall-clock time it was appended), so the
     * sweep does not index them again while their record is on its way.
     */
    private final java.util.Map<String, Long> firing = new java.util.HashMap<>();
    private static final long FIRING_GRACE_MILLIS = 30_000;

    private static String key(String txId, io.sagalog.engine.Timer timer) {
        return TimerKeys.key(txId, timer);
    }

    private void appendTimerFired(String txId, io.sagalog.engine.Timer timer, long nowMillis) {
        firing.put(key(txId, timer), nowMillis);
        if (firing.size() > 100_000) {
            firing.clear(); // only a hint for the sweep; never let it grow without bound
        }
        context.forward(new Record<>(txId, (SpecificRecord) WireCodec.timerFired(txId, timer, nowMillis), nowMillis),
                SagaTopology.CONTROL_SINK);
    }

    /**
     * Decides one input at the time of its record (a function of the log, not of the wall clock) and carries out
     * the decision. Whatever fails while deciding or storing one transaction parks that transaction (rule
     * {@code engine-error}) and the partition moves on; only if even that fails is the input skipped, loudly.
     */
    private void apply(String txId, Input input, long timestamp) {
        if (input instanceof Input.TimerFired fired) {
            firing.remove(key(txId, fired.timer()));
        }
        Instant now = Instant.ofEpochMilli(timestamp);
        TxState state = null;
        try {
            state = WireCodec.state(states.get(txId));
            carryOut(txId, state, input, decider.decide(state, input, now), now, timestamp);
        } catch (RuntimeException e) {
            log.error("deciding {} of transaction {} failed; parking it (rule engine-error)", input.getClass().getSimpleName(),
                    txId, e);
            try {
                Decision parked = decider.engineError(state, input, now, e);
                if (parked != null) {
                    carryOut(txId, state, input, parked, now, timestamp);
                }
            } catch (RuntimeException again) {
                log.error("cannot park transaction {} either; the input is skipped", txId, again);
            }
        }
    }

    private void carryOut(String txId, TxState state, Input input, Decision decision, Instant now, long timestamp) {
        // Encode everything first: a value that cannot be encoded must fail before anything is stored or sent.
        TxStateRecord stateRecord = decision.state() == null ? null : WireCodec.record(decision.state());
        JournalRecord journal = decision.journal().isEmpty() ? null : WireCodec.journal(txId, decision.journal());
        List<StepRequest> requests = new ArrayList<>(decision.commands().size());
        for (StepCommand command : decision.commands()) {
            requests.add(WireCodec.request(command));
        }
        try {
            observer.decided(state, input, decision, now);
        } catch (RuntimeException e) {
            log.warn("the decision observer failed on transaction {}: {}", txId, e.toString());
        }
        if (stateRecord != null) {
            TxState next = decision.state();
            states.put(txId, stateRecord);
            TxIndex.update(index, txId, next.definition(), WireCodec.millis(next.createdAt()),
                    state == null ? null : state.status(), next.status());
        }
        for (TimerCommand command : decision.timers()) {
            if (command instanceof TimerCommand.Schedule) {
                index(txId, command.timer());
            } else {
                deadlines.delete(TimerKeys.key(txId, command.timer()));
            }
        }
        if (journal != null) {
            appendHistory(txId, journal);
            context.forward(new Record<>(txId, (SpecificRecord) journal, timestamp), SagaTopology.JOURNAL_SINK);
        }
        for (StepRequest request : requests) {
            context.forward(new Record<>(txId, (SpecificRecord) request, timestamp), SagaTopology.STEPS_SINK);
        }
    }
}
