package io.sagalog.engine;

import static io.sagalog.engine.TxStatus.COMPENSATING;
import static io.sagalog.engine.TxStatus.COMPLETED;
import static io.sagalog.engine.TxStatus.PARKED;
import static io.sagalog.engine.TxStatus.PENDING;
import static io.sagalog.engine.TxStatus.RESOLVED;
import static io.sagalog.engine.TxStatus.ROLLED_BACK;
import static io.sagalog.engine.TxStatus.RUNNING;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The transaction lifecycle as a declared table: (status, trigger) -> allowed next statuses, and the
 * {@link Transitions} method that does the work. Anything not listed here is an undeclared transition:
 * the decider reports it and parks the transaction instead of guessing.
 */
public final class TransitionTable {

    /** One row of the table. */
    public record Row(TxStatus from, Trigger on, Set<TxStatus> to, String name, Handler handler) {}

    @FunctionalInterface
    interface Handler {
        void apply(Transitions transitions, Work work, Input input);
    }

    /** A handler of one kind of input; the table's trigger guarantees the kind, so the cast happens here only. */
    @FunctionalInterface
    interface Typed<I extends Input> {
        void apply(Transitions transitions, Work work, I input);
    }

    private static Handler request(Typed<Input.TxRequested> h) {
        return (t, w, in) -> h.apply(t, w, (Input.TxRequested) in);
    }

    private static Handler result(Typed<Input.StepResult> h) {
        return (t, w, in) -> h.apply(t, w, (Input.StepResult) in);
    }

    private static Handler timer(Typed<Input.TimerFired> h) {
        return (t, w, in) -> h.apply(t, w, (Input.TimerFired) in);
    }

    private static Handler command(Typed<Input.OperatorCommand> h) {
        return (t, w, in) -> h.apply(t, w, (Input.OperatorCommand) in);
    }

    private final Map<TxStatus, Map<Trigger, Row>> rows = new EnumMap<>(TxStatus.class);
    private final List<Row> declared = new ArrayList<>();

    /**
     * The table the engine runs on. Every row that dispatches a step may also end PARKED: a step whose participant
     * is not registered waits, parked, until it is.
     */
    public static final TransitionTable STANDARD = new TransitionTable()
            // Start: new transactions begin with their first step.
            .row(PENDING, Trigger.REQUESTED, Set.of(RUNNING, PARKED), "start", request((t, w, r) -> t.forward.start(w, r)))
            // Results for a transaction that was never requested: recorded, nothing stored.
            .row(PENDING, Trigger.ACTION_SUCCEEDED, Set.of(PENDING), "unknown-transaction", result((t, w, r) -> t.quiet.unknownTransaction(w, r)))
            .row(PENDING, Trigger.ACTION_FAILED, Set.of(PENDING), "unknown-transaction", result((t, w, r) -> t.quiet.unknownTransaction(w, r)))
            .row(PENDING, Trigger.COMPENSATION_SUCCEEDED, Set.of(PENDING), "unknown-transaction", result((t, w, r) -> t.quiet.unknownTransaction(w, r)))
            .row(PENDING, Trigger.COMPENSATION_FAILED, Set.of(PENDING), "unknown-transaction", result((t, w, r) -> t.quiet.unknownTransaction(w, r)))
            // Forward: each success dispatches the next step; the last one completes the transaction.
            .row(RUNNING, Trigger.ACTION_SUCCEEDED, Set.of(RUNNING, COMPLETED, PARKED), "advance", result((t, w, r) -> t.forward.advance(w, r)))
            // Recovery: retry, roll back or park, as the recovery rules decide.
            .row(RUNNING, Trigger.ACTION_FAILED, Set.of(RUNNING, COMPENSATING, ROLLED_BACK, PARKED), "recover",
                    result((t, w, r) -> t.forward.recover(w, r)))
            // Timeouts: the attempt's outcome is unknown; recovery decides like for a transient failure.
            .row(RUNNING, Trigger.TIMEOUT, Set.of(RUNNING, COMPENSATING, ROLLED_BACK, PARKED), "step-timed-out",
                    timer((t, w, f) -> t.forward.actionTimedOut(w, f)))
            .row(RUNNING, Trigger.BACKOFF_OVER, Set.of(RUNNING, PARKED), "retry-after-backoff", timer((t, w, f) -> t.forward.retryAction(w, f)))
            // The deadline: before the pivot it means rollback; after it the transaction can only finish.
            .row(RUNNING, Trigger.DEADLINE, Set.of(RUNNING, COMPENSATING, ROLLED_BACK, PARKED), "deadline",
                    timer((t, w, f) -> t.forward.deadlinePassed(w, f)))
            // Rollback: compensations run one at a time, in plan order (newest completed step first).
            .row(COMPENSATING, Trigger.COMPENSATION_SUCCEEDED, Set.of(COMPENSATING, ROLLED_BACK, PARKED), "compensate-next",
                    result((t, w, r) -> t.rollback.compensateNext(w, r)))
            .row(COMPENSATING, Trigger.COMPENSATION_FAILED, Set.of(COMPENSATING, PARKED), "retry-compensation",
                    result((t, w, r) -> t.rollback.retryCompensation(w, r)))
            .row(COMPENSATING, Trigger.TIMEOUT, Set.of(COMPENSATING, PARKED), "compensation-timed-out",
                    timer((t, w, f) -> t.rollback.compensationTimedOut(w, f)))
            .row(COMPENSATING, Trigger.BACKOFF_OVER, Set.of(COMPENSATING, PARKED), "retry-compensation-after-backoff",
                    timer((t, w, f) -> t.rollback.retryCompensationAfterBackoff(w, f)))
            .row(COMPENSATING, Trigger.DEADLINE, Set.of(COMPENSATING), "stale-timer", (t, w, in) -> t.quiet.staleTimer(w, in))
            // Once rollback began nothing moves forward again; but a late success is a real effect: it is compensated
            // (ROLLED_BACK reopens to COMPENSATING for it), or the transaction parks when it cannot be.
            .row(COMPENSATING, Trigger.ACTION_SUCCEEDED, Set.of(COMPENSATING, PARKED), "late-success",
                    result((t, w, r) -> t.rollback.lateSuccess(w, r)))
            .row(ROLLED_BACK, Trigger.ACTION_SUCCEEDED, Set.of(ROLLED_BACK, COMPENSATING, PARKED), "late-success",
                    result((t, w, r) -> t.rollback.lateSuccess(w, r)))
            .row(PARKED, Trigger.ACTION_SUCCEEDED, Set.of(PARKED), "late-success", result((t, w, r) -> t.rollback.lateSuccess(w, r)))
            .row(COMPENSATING, Trigger.ACTION_FAILED, Set.of(COMPENSATING), "late-result", result((t, w, r) -> t.quiet.ignoreResult(w, r)))
            // A transaction exists only once: repeated requests are recorded and change nothing.
            .rows(EnumSet.of(RUNNING, COMPENSATING, COMPLETED, ROLLED_BACK, PARKED, RESOLVED), Trigger.REQUESTED,
                    "duplicate-request", (t, w, in) -> t.quiet.ignoreRequest(w, in))
            // Finished and parked transactions only record what still arrives.
            .rows(EnumSet.of(COMPLETED, RESOLVED), Trigger.ACTION_SUCCEEDED, "late-result", result((t, w, r) -> t.quiet.ignoreResult(w, r)))
            .rows(EnumSet.of(COMPLETED, ROLLED_BACK, PARKED, RESOLVED), Trigger.ACTION_FAILED, "late-result", result((t, w, r) -> t.quiet.ignoreResult(w, r)))
            .rows(EnumSet.of(COMPLETED, ROLLED_BACK, PARKED, RESOLVED), Trigger.COMPENSATION_SUCCEEDED, "late-result", result((t, w, r) -> t.quiet.ignoreResult(w, r)))
            .rows(EnumSet.of(COMPLETED, ROLLED_BACK, PARKED, RESOLVED), Trigger.COMPENSATION_FAILED, "late-result", result((t, w, r) -> t.quiet.ignoreResult(w, r)))
            // Timers of transactions that ended (or never existed) have nothing left to do.
            .rows(EnumSet.of(PENDING, COMPLETED, ROLLED_BACK, PARKED, RESOLVED), Trigger.TIMEOUT, "stale-timer", (t, w, in) -> t.quiet.staleTimer(w, in))
            .rows(EnumSet.of(PENDING, COMPLETED, ROLLED_BACK, RESOLVED), Trigger.BACKOFF_OVER, "stale-timer", (t, w, in) -> t.quiet.staleTimer(w, in))
            // Parked because a participant is not registered: look again, resume once it is.
            .row(PARKED, Trigger.BACKOFF_OVER, Set.of(PARKED, RUNNING, COMPENSATING), "resume-when-participant-registered",
                    timer((t, w, f) -> t.waiting.lookAgain(w, f)))
            .rows(EnumSet.of(PENDING, COMPLETED, ROLLED_BACK, PARKED, RESOLVED), Trigger.DEADLINE, "stale-timer", (t, w, in) -> t.quiet.staleTimer(w, in))
            // The sweep's repair of a transaction in flight without timers; anywhere else it has nothing to do.
            .row(RUNNING, Trigger.REPAIR, Set.of(RUNNING, COMPENSATING, ROLLED_BACK, PARKED, COMPLETED), "repair-timers",
                    (t, w, in) -> t.quiet.repairTimers(w, in))
            .row(COMPENSATING, Trigger.REPAIR, Set.of(COMPENSATING, ROLLED_BACK, PARKED), "repair-timers",
                    (t, w, in) -> t.quiet.repairTimers(w, in))
            .rows(EnumSet.of(PENDING, COMPLETED, ROLLED_BACK, PARKED, RESOLVED), Trigger.REPAIR, "stale-timer",
                    (t, w, in) -> t.quiet.staleTimer(w, in))
            // Operators: retry, skip, roll back, resume or resolve; an action that does not fit is refused with why.
            .row(RUNNING, Trigger.OPERATOR, Set.of(RUNNING, COMPENSATING, COMPLETED, ROLLED_BACK, PARKED, RESOLVED),
                    "operator-action", command((t, w, c) -> t.operator.act(w, c)))
            .row(COMPENSATING, Trigger.OPERATOR, Set.of(COMPENSATING, ROLLED_BACK, PARKED, RESOLVED), "operator-action",
                    command((t, w, c) -> t.operator.act(w, c)))
            .row(PARKED, Trigger.OPERATOR, Set.of(PARKED, RUNNING, COMPENSATING, COMPLETED, ROLLED_BACK, RESOLVED),
                    "operator-action", command((t, w, c) -> t.operator.act(w, c)))
            .row(PENDING, Trigger.OPERATOR, Set.of(PENDING), "operator-action-refused",
                    command((t, w, c) -> t.operator.refuse(w, c)))
            // Finished: only hold and release fit (how long it is kept); anything else is refused with why.
            .rows(EnumSet.of(COMPLETED, ROLLED_BACK, RESOLVED), Trigger.OPERATOR, "operator-action",
                    command((t, w, c) -> t.operator.act(w, c)))
            // Retention: a finished transaction's expiry archives it, and the archive read back evicts it. Elsewhere
            // (it was reopened, parked, or never existed) the timer is stale.
            .rows(EnumSet.of(COMPLETED, ROLLED_BACK, RESOLVED), Trigger.EXPIRY, "archive", timer((t, w, f) -> t.retention.expire(w, f)))
            .rows(EnumSet.of(COMPLETED, ROLLED_BACK, RESOLVED), Trigger.EVICTION, "evict", timer((t, w, f) -> t.retention.evict(w, f)))
            .rows(EnumSet.of(PENDING, RUNNING, COMPENSATING, PARKED), Trigger.EXPIRY, "stale-timer", (t, w, in) -> t.quiet.staleTimer(w, in))
            .rows(EnumSet.of(PENDING, RUNNING, COMPENSATING, PARKED), Trigger.EVICTION, "stale-timer", (t, w, in) -> t.quiet.staleTimer(w, in));

    TransitionTable row(TxStatus from, Trigger on, Set<TxStatus> to, String name, Handler handler) {
        Row row = new Row(from, on, Set.copyOf(to), name, handler);
        if (rows.computeIfAbsent(from, s -> new EnumMap<>(Trigger.class)).putIfAbsent(on, row) != null) {
            throw new IllegalStateException("transition " + from + " x " + on + " is declared twice");
        }
        declared.add(row);
        return this;
    }

    private TransitionTable rows(Set<TxStatus> from, Trigger on, String name, Handler handler) {
        for (TxStatus s : from) {
            row(s, on, Set.of(s), name, handler);
        }
        return this;
    }

    public Optional<Row> find(TxStatus from, Trigger on) {
        Map<Trigger, Row> byTrigger = rows.get(from);
        return Optional.ofNullable(byTrigger == null ? null : byTrigger.get(on));
    }

    /** Every declared row, in declaration order. */
    public List<Row> rows() {
        return List.copyOf(declared);
    }
}
