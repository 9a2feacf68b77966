package io.sagalog.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The scratch pad of one decision: the state as it changes, and the effects collected on the way.
 * Lives only inside one {@link Decider#decide} call, so the decider as a whole stays a pure function.
 */
final class Work {
    final String txId;
    final Instant now;
    private TxState state;
    private long seq;
    private boolean store = true;
    private Decision.Retirement retirement = Decision.Retirement.NONE;
    private final List<JournalEntry> journal = new ArrayList<>();
    private final List<StepCommand> commands = new ArrayList<>();
    private final List<TimerCommand> timerCommands = new ArrayList<>();

    Work(String txId, TxState state, Instant now) {
        this.txId = txId;
        this.state = state;
        this.now = now;
        this.seq = state == null ? 0 : state.nextSeq();
    }

    TxState state() {
        return state;
    }

    TxStatus status() {
        return state == null ? TxStatus.PENDING : state.status();
    }

    void state(TxState newState) {
        state = newState;
    }

    void become(TxStatus status, String reason) {
        state = state.withStatus(status, reason);
    }

    void updateStep(int index, StepState step) {
        state = state.withStep(index, step);
    }

    /** Records an event with the status the transaction has at this point of the decision. */
    void emit(JournalEvent event) {
        journal.add(new JournalEntry(seq++, now, status(), event));
    }

    /** Nothing is stored for this input (there is no transaction to store it in). */
    void storeNothing() {
        store = false;
    }

    /** The transaction as a whole is to be archived, or evicted (see {@link Decision.Retirement}). */
    void retire(Decision.Retirement how) {
        retirement = how;
    }

    /** Timers are never scheduled in the past: due times at or after now keep the engine's timer scans short. */
    void schedule(Timer requested) {
        Timer timer = requested.due().isBefore(now)
                ? new Timer(now, requested.kind(), requested.step(), requested.attempt(), requested.phase()) : requested;
        List<Timer> timers = new ArrayList<>(state.timers());
        timers.add(timer);
        state = state.withTimers(timers);
        timerCommands.add(new TimerCommand.Schedule(timer));
    }

    void cancel(Timer timer) {
        List<Timer> timers = new ArrayList<>(state.timers());
        if (timers.remove(timer)) {
            state = state.withTimers(timers);
            timerCommands.add(new TimerCommand.Cancel(timer));
        }
    }

    /** Every timer of the transaction, e.g. once it has finished or parked. */
    void cancelAllTimers() {
        for (Timer t : List.copyOf(state.timers())) {
            cancel(t);
        }
    }

    /** The step-timeout timer of the given attempt, if that attempt is outstanding. */
    Timer outstandingTimeout(String step, int attempt, Phase phase) {
        for (Timer t : state.timers()) {
            if (t.isTimeoutOf(step, attempt, phase)) {
                return t;
            }
        }
        return null;
    }

    /** Sends one attempt of a step's action or compensation to its participant, with its timeout timer. */
    void dispatch(StepDefinition step, Phase phase, int attempt) {
        Instant due = now.plus(step.timeout());
        commands.add(new StepCommand(txId, state.definition(), step.participant(), step.name(), phase,
                step.handler(phase), attempt, txId + ":" + step.name() + ":" + phase.keyWord(), state.input(),
                context(), due));
        schedule(Timer.stepTimeout(due, step.name(), attempt, phase));
    }

    /**
     * Bytes (UTF-8) of the input and context the next step request would carry. A Kafka record may not exceed the
     * topic's max.message.bytes (1 MiB by default); a larger request could never be sent.
     */
    long stepRequestBytes() {
        return utf8Length(state.input()) + utf8Length(context());
    }

    private static long utf8Length(String s) {
        if (s == null) {
            return 0;
        }
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    /** Outputs of the steps that succeeded so far, as a JSON object keyed by step name. */
    private String context() {
        StringBuilder json = new StringBuilder("{");
        for (StepState s : state.steps()) {
            if (s.output() != null && s.status() == StepStatus.SUCCEEDED) {
                if (json.length() > 1) {
                    json.append(',');
                }
                // Step names are validated to a JSON-safe alphabet, so they need no escaping.
                json.append('"').append(s.name()).append("\":").append(s.output());
            }
        }
        return json.append('}').toString();
    }

    Decision decision() {
        if (!store || state == null) {
            return new Decision(null, journal, commands, timerCommands, retirement);
        }
        return new Decision(state.withProgress(seq, now), journal, commands, timerCommands, retirement);
    }
}
