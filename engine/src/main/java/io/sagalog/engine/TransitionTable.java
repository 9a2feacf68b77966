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

    private final Map<TxStatus, Map<Trigger, Row>> rows = new EnumMap<>(TxStatus.class);
    private final List<Row> declared = new ArrayList<>();

    /**
     * The table the engine runs on. Every row that dispatches a step may also end PARKED: a step whose participant
     * is not registered waits, parked, until it is.
     */
    public static final TransitionTable STANDARD = new TransitionTable()
            // Start: new transactions begin with their first step.
            .row(PENDING, Trigger.REQUESTED, Set.of(RUNNING, PARKED), "start", Transitions::start)
            // Results for a transaction that was never requested: recorded, nothing stored.
            .row(PENDING, Trigger.ACTION_SUCCEEDED, Set.of(PENDING), "unknown-transaction", Transitions::unknownTransaction)
            .row(PENDING, Trigger.ACTION_FAILED, Set.of(PENDING), "unknown-transaction", Transitions::unknownTransaction)
            .row(PENDING, Trigger.COMPENSATION_SUCCEEDED, Set.of(PENDING), "unknown-transaction", Transitions::unknownTransaction)
            .row(PENDING, Trigger.COMPENSATION_FAILED, Set.of(PENDING), "unknown-transaction", Transitions::unknownTransaction)
            // Forward: each success dispatches the next step; the last one completes the transaction.
            .row(RUNNING, Trigger.ACTION_SUCCEEDED, Set.of(RUNNING, COMPLETED, PARKED), "advance", Transitions::advance)
            // Recovery: retry, roll back or park, as the recovery rules decide.
            .row(RUNNING, Trigger.ACTION_FAILED, Set.of(RUNNING, COMPENSATING, ROLLED_BACK, PARKED), "recover",
                    Transitions::recover)
            // Timeouts: the attempt's outcome is unknown; recovery decides like for a transient failure.
            .row(RUNNING, Trigger.TIMEOUT, Set.of(RUNNING, COMPENSATING, ROLLED_BACK, PARKED), "step-timed-out",
                    Transitions::actionTimedOut)
            .row(RUNNING, Trigger.BACKOFF_OVER, Set.of(RUNNING, PARKED), "retry-after-backoff", Transitions::retryAction)
            // The deadline: before the pivot it means rollback; after it the transaction can only finish.
            .row(RUNNING, Trigger.DEADLINE, Set.of(RUNNING, COMPENSATING, ROLLED_BACK, PARKED), "deadline",
                    Transitions::deadlinePassed)
            // Rollback: compensations run one at a time, in plan order (newest completed step first).
            .row(COMPENSATING, Trigger.COMPENSATION_SUCCEEDED, Set.of(COMPENSATING, ROLLED_BACK, PARKED), "compensate-next",
                    Transitions::compensateNext)
            .row(COMPENSATING, Trigger.COMPENSATION_FAILED, Set.of(COMPENSATING, PARKED), "retry-compensation",
                    Transitions::retryCompensation)
            .row(COMPENSATING, Trigger.TIMEOUT, Set.of(COMPENSATING, PARKED), "compensation-timed-out",
                    Transitions::compensationTimedOut)
            .row(COMPENSATING, Trigger.BACKOFF_OVER, Set.of(COMPENSATING, PARKED), "retry-compensation-after-backoff",
                    Transitions::retryCompensationAfterBackoff)
            .row(COMPENSATING, Trigger.DEADLINE, Set.of(COMPENSATING), "stale-timer", Transitions::staleTimer)
            // Once rollback began nothing moves forward again; but a late success is a real effect: it is compensated
            // (ROLLED_BACK reopens to COMPENSATING for it), or the transaction parks when it cannot be.
            .row(COMPENSATING, Trigger.ACTION_SUCCEEDED, Set.of(COMPENSATING, PARKED), "late-success",
                    Transitions::lateSuccess)
            .row(ROLLED_BACK, Trigger.ACTION_SUCCEEDED, Set.of(ROLLED_BACK, COMPENSATING, PARKED), "late-success",
                    Transitions::lateSuccess)
            .row(PARKED, Trigger.ACTION_SUCCEEDED, Set.of(PARKED), "late-success", Transitions::lateSuccess)
            .row(COMPENSATING, Trigger.ACTION_FAILED, Set.of(COMPENSATING), "late-result", Transitions::ignoreResult)
            // A transaction exists only once: repeated requests are recorded and change nothing.
            .rows(EnumSet.of(RUNNING, COMPENSATING, COMPLETED, ROLLED_BACK, PARKED, RESOLVED), Trigger.REQUESTED,
                    "duplicate-request", Transitions::ignoreRequest)
            // Finished and parked transactions only record what still arrives.
            .rows(EnumSet.of(COMPLETED, RESOLVED), Trigger.ACTION_SUCCEEDED, "late-result", Transitions::ignoreResult)
            .rows(EnumSet.of(COMPLETED, ROLLED_BACK, PARKED, RESOLVED), Trigger.ACTION_FAILED, "late-result", Transitions::ignoreResult)
            .rows(EnumSet.of(COMPLETED, ROLLED_BACK, PARKED, RESOLVED), Trigger.COMPENSATION_SUCCEEDED, "late-result", Transitions::ignoreResult)
            .rows(EnumSet.of(COMPLETED, ROLLED_BACK, PARKED, RESOLVED), Trigger.COMPENSATION_FAILED, "late-result", Transitions::ignoreResult)
            // Timers of transactions that ended (or never existed) have nothing left to do.
            .rows(EnumSet.of(PENDING, COMPLETED, ROLLED_BACK, PARKED, RESOLVED), Trigger.TIMEOUT, "stale-timer", Transitions::staleTimer)
            .rows(EnumSet.of(PENDING, COMPLETED, ROLLED_BACK, RESOLVED), Trigger.BACKOFF_OVER, "stale-timer", Transitions::staleTimer)
            // Parked because a participant is not registered: look again, resume once it is.
            .row(PARKED, Trigger.BACKOFF_OVER, Set.of(PARKED, RUNNING, COMPENSATING), "resume-when-participant-registered",
                    Transitions::resumeWhenParticipantRegistered)
            .rows(EnumSet.of(PENDING, COMPLETED, ROLLED_BACK, PARKED, RESOLVED), Trigger.DEADLINE, "stale-timer", Transitions::staleTimer)
            // The sweep's repair of a transaction in flight without timers; anywhere else it has nothing to do.
            .row(RUNNING, Trigger.REPAIR, Set.of(RUNNING, COMPENSATING, ROLLED_BACK, PARKED, COMPLETED), "repair-timers",
                    Transitions::repairTimers)
            .row(COMPENSATING, Trigger.REPAIR, Set.of(COMPENSATING, ROLLED_BACK, PARKED), "repair-timers",
                    Transitions::repairTimers)
            .rows(EnumSet.of(PENDING, COMPLETED, ROLLED_BACK, PARKED, RESOLVED), Trigger.REPAIR, "stale-timer",
                    Transitions::staleTimer)
            // Operators: retry, skip, roll back, resume or resolve; an action that does not fit is refused with why.
            .row(RUNNING, Trigger.OPERATOR, Set.of(RUNNING, COMPENSATING, COMPLETED, ROLLED_BACK, PARKED, RESOLVED),
                    "operator-action", Transitions::operatorAction)
            .row(COMPENSATING, Trigger.OPERATOR, Set.of(COMPENSATING, ROLLED_BACK, PARKED, RESOLVED), "operator-action",
                    Transitions::operatorAction)
            .row(PARKED, Trigger.OPERATOR, Set.of(PARKED, RUNNING, COMPENSATING, COMPLETED, ROLLED_BACK, RESOLVED),
                    "operator-action", Transitions::operatorAction)
            .rows(EnumSet.of(PENDING, COMPLETED, ROLLED_BACK, RESOLVED), Trigger.OPERATOR, "operator-action-refused",
                    Transitions::refuseOperatorAction);

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
