package io.sagalog.engine.internal;

import io.sagalog.engine.Decider;
import io.sagalog.engine.Decision;
import io.sagalog.engine.DecisionObserver;
import io.sagalog.engine.ExpiredTransaction;
import io.sagalog.engine.Input;
import io.sagalog.engine.StepCommand;
import io.sagalog.engine.Timer;
import io.sagalog.engine.TimerCommand;
import io.sagalog.engine.TxState;
import io.sagalog.logging.TransactionMdc;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.JournalRecord;
import io.sagalog.schemas.avro.StepRequest;
import io.sagalog.schemas.avro.TxStateRecord;
import io.sagalog.tracing.TraceParent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka shell around the {@link Decider}: load the transaction's state, decide, store the new state, and
 * carry out the effects (journal record, step requests, timer changes, archive and eviction). No network I/O here.
 *
 * <p>Every input comes from the control log, timers too: a wall-clock punctuator only <em>appends</em> a
 * {@code TimerFired} record for each due timer, and the decision happens when that record is read back, at the
 * record's own time. So the decisions are a function of the log alone: after a crash, the replay of the same records
 * repeats the same decisions and sends the same step requests (which idempotency keys deduplicate), whatever the
 * wall clock does meanwhile (DESIGN section 6, "Replay must repeat the same path").
 */
final class TransactionProcessor implements Processor<String, ControlRecord, String, Object> {
    private static final Logger log = LoggerFactory.getLogger(TransactionProcessor.class);
    /** Upper bound of timers fired per tick, so one tick never stalls the stream thread for long. */
    private static final int MAX_TIMERS_PER_TICK = 5_000;
    /** Events kept per transaction in tx-history; the journal topic keeps every one. */
    static final int MAX_HISTORY_EVENTS = 2_000;
    /** No input for this long means the task has read its backlog; timers may then fire by the wall clock. */
    private static final long IDLE_MILLIS = 250;
    /** After start, how long to wait for the first input before assuming there is no backlog. */
    private static final long STARTUP_GRACE_MILLIS = 2_000;
    /** How often the sweep looks for transactions in flight without any timer. */
    static final Duration SWEEP_INTERVAL = Duration.ofSeconds(5);

    private final Decider decider;
    private final DecisionObserver observer;
    private final Duration timerTick;
    private final Duration markerRetention;
    private final DecisionSpans spans;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, TxStateRecord> states;
    private KeyValueStore<String, JournalRecord> history;
    private KeyValueStore<String, String> index;
    private TimerIndex timers;
    private ExpiryIndex expiries;
    private Retirements retirements;
    /** The newest record timestamp this task has processed: how far it has read the log. */
    private long logTime = Long.MIN_VALUE;
    /** Wall-clock time of the last input processed (or of the start), to tell "busy reading" from "caught up". */
    private long lastInputWallTime;
    private long idleAfterMillis = STARTUP_GRACE_MILLIS;

    TransactionProcessor(Decider decider, Duration timerTick, DecisionObserver observer, Duration markerRetention) {
        this(decider, timerTick, observer, markerRetention, new DecisionSpans(io.sagalog.engine.trace.SpanSink.NONE));
    }

    TransactionProcessor(Decider decider, Duration timerTick, DecisionObserver observer, Duration markerRetention,
                         DecisionSpans spans) {
        this.decider = decider;
        this.spans = spans;
        this.observer = observer;
        this.timerTick = timerTick;
        this.markerRetention = markerRetention;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.states = context.getStateStore(SagaTopology.TX_STATE);
        this.history = context.getStateStore(SagaTopology.TX_HISTORY);
        this.index = context.getStateStore(SagaTopology.TX_INDEX);
        this.timers = new TimerIndex(context.getStateStore(SagaTopology.DEADLINES));
        this.expiries = new ExpiryIndex(context.getStateStore(SagaTopology.TX_EXPIRY));
        this.retirements = new Retirements(states, history, index, expiries, markerRetention);
        Sweep sweep = new Sweep(states, index, timers, expiries, (txId, timer) -> appendTimerFired(txId, timer,
                context.currentSystemTimeMs()));
        long started = System.nanoTime();
        int[] counts = timers.rebuild(index, states);
        if (counts[0] > 0) {
            log.info("task {}: {} timers of {} unfinished transactions indexed in {} ms", context.taskId(), counts[1],
                    counts[0], (System.nanoTime() - started) / 1_000_000);
        }
        this.lastInputWallTime = context.currentSystemTimeMs();
        context.schedule(timerTick, PunctuationType.WALL_CLOCK_TIME, this::fireDueTimers);
        context.schedule(SWEEP_INTERVAL, PunctuationType.WALL_CLOCK_TIME, sweep::run);
    }

    @Override
    public void process(Record<String, ControlRecord> record) {
        ControlRecord value = record.value();
        if (value == null || record.key() == null || !record.key().equals(value.getTxId())) {
            try (var mdc = TransactionMdc.of(value == null ? record.key() : value.getTxId(), null, null)) {
                log.warn("skipping control record whose key {} does not match its txId {}", record.key(),
                        value == null ? null : value.getTxId());
            }
            return;
        }
        logTime = Math.max(logTime, record.timestamp());
        lastInputWallTime = context.currentSystemTimeMs();
        idleAfterMillis = IDLE_MILLIS;
        Input input;
        try {
            input = WireCodec.input(value);
        } catch (RuntimeException e) {
            try (var mdc = TransactionMdc.of(record.key(), null, null)) {
                log.error("skipping control record of transaction {} that this engine cannot read", record.key(), e);
            }
            return;
        }
        apply(record.key(), input, record.timestamp(), TraceParent.from(record.headers()).orElse(null));
    }

    /**
     * Appends a TimerFired for every due timer, and every due expiry. While the task is still reading a backlog
     * (after a restart, or when it lags), timers fire only up to the time of the log it has read: a result that is
     * already in the log must be applied before its attempt can be declared timed out. Once no input has arrived for
     * a moment, the task has caught up and timers fire by the wall clock.
     */
    private void fireDueTimers(long nowMillis) {
        boolean caughtUp = nowMillis - lastInputWallTime >= idleAfterMillis;
        long horizon = caughtUp ? nowMillis : Math.min(nowMillis, logTime);
        if (horizon == Long.MIN_VALUE) {
            return;
        }
        for (TimerKeys.Parsed due : timers.takeDue(horizon, nowMillis, MAX_TIMERS_PER_TICK)) {
            forwardTimerFired(due.txId(), due.timer(), nowMillis);
        }
        for (ExpiryIndex.Due due : expiries.takeDue(horizon, MAX_TIMERS_PER_TICK)) {
            forwardTimerFired(due.txId(), Timer.expire(Instant.ofEpochMilli(due.dueMillis())), nowMillis);
        }
    }

    private void appendTimerFired(String txId, Timer timer, long nowMillis) {
        timers.firing(txId, timer, nowMillis);
        forwardTimerFired(txId, timer, nowMillis);
    }

    private void forwardTimerFired(String txId, Timer timer, long nowMillis) {
        context.forward(new Record<>(txId, (Object) WireCodec.timerFired(txId, timer, nowMillis), nowMillis),
                SagaTopology.CONTROL_SINK);
    }

    /**
     * Decides one input at the time of its record (a function of the log, not of the wall clock) and carries out
     * the decision. Whatever fails while deciding or storing one transaction parks that transaction (rule
     * {@code engine-error}) and the partition moves on; only if even that fails is the input skipped, loudly.
     */
    private void apply(String txId, Input input, long timestamp, TraceParent header) {
        if (input instanceof Input.TimerFired fired) {
            timers.fired(txId, fired.timer());
        }
        Instant now = Instant.ofEpochMilli(timestamp);
        TxState state = null;
        TraceParent trace = null;
        try {
            TxStateRecord stored = states.get(txId);
            state = WireCodec.state(stored);
            // The trace a transaction belongs to is the one its request came with (telemetry only, kept beside the
            // state; the decider never sees it).
            trace = stored != null ? TraceParent.parse(stored.getTraceparent()).orElse(null)
                    : input instanceof Input.TxRequested ? header : null;
            ExpiredTransaction expired = state == null ? expiries.marker(txId) : null;
            if (expired != null) {
                afterExpiry(expired, input, now, timestamp);
                return;
            }
            carryOut(txId, state, input, decider.decide(state, input, now), now, timestamp, trace);
        } catch (RuntimeException e) {
            try (var mdc = mdc(txId, state, input)) {
                log.error("deciding {} of transaction {} failed; parking it (rule engine-error)",
                        input.getClass().getSimpleName(), txId, e);
                try {
                    Decision parked = decider.engineError(state, input, now, e);
                    if (parked != null) {
                        carryOut(txId, state, input, parked, now, timestamp, trace);
                    }
                } catch (RuntimeException again) {
                    log.error("cannot park transaction {} either; the input is skipped", txId, again);
                }
            }
        }
    }

    /** An input for an expired transaction: journaled (the journal topic only) and counted, nothing stored. */
    private void afterExpiry(ExpiredTransaction expired, Input input, Instant now, long timestamp) {
        Decision decision = decider.afterExpiry(expired, input, now);
        if (decision.journal().isEmpty()) {
            return; // its own timer read again after a crash: nothing to record
        }
        observe(null, input, decision, now);
        expiries.update(expired.next());
        context.forward(new Record<>(expired.txId(), (Object) WireCodec.journal(expired.txId(), decision.journal()),
                timestamp), SagaTopology.JOURNAL_SINK);
    }

    private void carryOut(String txId, TxState state, Input input, Decision decision, Instant now, long timestamp,
                          TraceParent trace) {
        // Encode everything first: a value that cannot be encoded must fail before anything is stored or sent.
        TxStateRecord stateRecord = decision.state() == null ? null : WireCodec.record(decision.state());
        JournalRecord journal = decision.journal().isEmpty() ? null : WireCodec.journal(txId, decision.journal());
        List<StepRequest> requests = new ArrayList<>(decision.commands().size());
        for (StepCommand command : decision.commands()) {
            requests.add(WireCodec.request(command));
        }
        if (stateRecord != null && trace != null) {
            stateRecord.setTraceparent(trace.header());
        }
        observe(state, input, decision, now);
        switch (decision.retirement()) {
            case ARCHIVE -> {
                // The state is not rewritten: the archive holds it as it was when the transaction ended.
                retirements.archive(context, state, timestamp, context.currentSystemTimeMs());
                return;
            }
            case EVICT -> retirements.evict(state, decision, now);
            case NONE -> store(txId, state, decision, stateRecord);
        }
        JournalRecord prior = trace != null && spans.enabled() ? history.get(txId) : null;
        if (journal != null) {
            if (decision.state() != null && decision.retirement() == Decision.Retirement.NONE) {
                // No history without a state: a stray input for an unknown transaction must not leave an entry behind.
                HistoryAppend.append(history, txId, journal, MAX_HISTORY_EVENTS);
            }
            context.forward(new Record<>(txId, (Object) journal, timestamp, trace == null ? null
                    : DecisionSpans.transaction(trace, txId).asHeaders()), SagaTopology.JOURNAL_SINK);
        }
        for (StepRequest request : requests) {
            // The participant's work is a child of the attempt's span.
            context.forward(new Record<>(txId, (Object) request, timestamp, trace == null ? null
                    : DecisionSpans.attempt(trace, txId, request.getStep(), request.getPhase().name(),
                    request.getAttempt()).asHeaders()), SagaTopology.STEPS_SINK);
        }
        if (trace != null && spans.enabled()) {
            spans.finished(trace, decision.state(), decision, prior);
        }
    }

    private void store(String txId, TxState state, Decision decision, TxStateRecord stateRecord) {
        if (stateRecord != null) {
            TxState next = decision.state();
            states.put(txId, stateRecord);
            TxIndex.update(index, txId, next.definition(), WireCodec.millis(next.createdAt()),
                    state == null ? null : state.status(), next.status());
            Instant expiredBefore = state == null ? null : state.expiresAt();
            if (!Objects.equals(expiredBefore, next.expiresAt())) {
                if (expiredBefore != null) {
                    expiries.cancel(txId, expiredBefore);
                }
                if (next.expiresAt() != null) {
                    expiries.schedule(txId, next.expiresAt());
                }
            }
        }
        for (TimerCommand command : decision.timers()) {
            if (command instanceof TimerCommand.Schedule) {
                timers.index(txId, command.timer());
            } else {
                timers.remove(txId, command.timer());
            }
        }
    }

    private void observe(TxState state, Input input, Decision decision, Instant now) {
        try {
            observer.decided(state, input, decision, now);
        } catch (RuntimeException e) {
            try (var mdc = mdc(input.txId(), state, input)) {
                log.warn("the decision observer failed on transaction {}: {}", input.txId(), e.toString());
            }
        }
    }

    /** txId, definition (of the state, or of a new request) and step (of a step result) for a line about one. */
    private static TransactionMdc mdc(String txId, TxState state, Input input) {
        String definition = state != null ? state.definition()
                : input instanceof Input.TxRequested request ? request.definition() : null;
        return TransactionMdc.of(txId, definition, input instanceof Input.StepResult result ? result.step() : null);
    }
}
