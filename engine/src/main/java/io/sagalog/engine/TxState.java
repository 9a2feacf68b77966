package io.sagalog.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's whole knowledge of one transaction. Immutable; the decider returns a new one.
 *
 * @param input the client's input, JSON text
 * @param compensationPlan steps still to compensate, the next one first (newest completed step first);
 *     kept as data so the order is visible and tested, never implied by a loop
 * @param nextSeq the sequence number the next journal event gets
 * @param deadline the transaction's deadline: before the pivot, passing it means rollback
 * @param timers the transaction's active durable timers; an attempt is outstanding exactly while its
 *     step-timeout timer is here
 * @param reason why the transaction is PARKED, for people
 * @param operatorActions ids of the operator actions applied (the newest {@link #MAX_REMEMBERED_ACTIONS}), so a
 *     repeated action changes nothing
 * @param held an operator put the transaction on hold (action {@code hold}): it never expires until released
 * @param expiresAt when the finished transaction is archived and deleted from the stores (its retention from when it
 *     ended); null while it is not finished, or on hold
 */
public record TxState(String txId, String definition, int definitionVersion, TxStatus status, String input,
                      List<StepState> steps, List<String> compensationPlan, long nextSeq, Instant createdAt,
                      Instant updatedAt, String reason, Instant deadline, List<Timer> timers,
                      List<String> operatorActions, boolean held, Instant expiresAt) {
    /** Operator action ids remembered per transaction; a client retries an action within minutes, not hundreds. */
    public static final int MAX_REMEMBERED_ACTIONS = 50;

    public TxState {
        steps = List.copyOf(steps);
        compensationPlan = List.copyOf(compensationPlan);
        timers = List.copyOf(timers);
        operatorActions = List.copyOf(operatorActions);
    }

    /** Not on hold, no expiry set (what every transaction is until it finishes). */
    public TxState(String txId, String definition, int definitionVersion, TxStatus status, String input,
                   List<StepState> steps, List<String> compensationPlan, long nextSeq, Instant createdAt,
                   Instant updatedAt, String reason, Instant deadline, List<Timer> timers, List<String> operatorActions) {
        this(txId, definition, definitionVersion, status, input, steps, compensationPlan, nextSeq, createdAt, updatedAt,
                reason, deadline, timers, operatorActions, false, null);
    }

    /** On hold or released; see {@link #held}. */
    public TxState withHeld(boolean onHold) {
        return new TxState(txId, definition, definitionVersion, status, input, steps, compensationPlan, nextSeq,
                createdAt, updatedAt, reason, deadline, timers, operatorActions, onHold, expiresAt);
    }

    /** Expires at {@code at} (null: never, as things stand). */
    public TxState withExpiresAt(Instant at) {
        return new TxState(txId, definition, definitionVersion, status, input, steps, compensationPlan, nextSeq,
                createdAt, updatedAt, reason, deadline, timers, operatorActions, held, at);
    }

    public TxState withOperatorAction(String actionId) {
        List<String> ids = new ArrayList<>(operatorActions);
        ids.add(actionId);
        if (ids.size() > MAX_REMEMBERED_ACTIONS) {
            ids = ids.subList(ids.size() - MAX_REMEMBERED_ACTIONS, ids.size());
        }
        return new TxState(txId, definition, definitionVersion, status, input, steps, compensationPlan, nextSeq,
                createdAt, updatedAt, reason, deadline, timers, ids, held, expiresAt);
    }

    public StepState step(int index) {
        return steps.get(index);
    }

    /** Index of the named step, or -1. */
    public int indexOf(String stepName) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).name().equals(stepName)) {
                return i;
            }
        }
        return -1;
    }

    public TxState withStep(int index, StepState step) {
        List<StepState> copy = new ArrayList<>(steps);
        copy.set(index, step);
        return new TxState(txId, definition, definitionVersion, status, input, copy, compensationPlan, nextSeq,
                createdAt, updatedAt, reason, deadline, timers, operatorActions, held, expiresAt);
    }

    public TxState withStatus(TxStatus newStatus, String newReason) {
        return new TxState(txId, definition, definitionVersion, newStatus, input, steps, compensationPlan, nextSeq,
                createdAt, updatedAt, newReason, deadline, timers, operatorActions, held, expiresAt);
    }

    public TxState withCompensationPlan(List<String> plan) {
        return new TxState(txId, definition, definitionVersion, status, input, steps, plan, nextSeq, createdAt,
                updatedAt, reason, deadline, timers, operatorActions, held, expiresAt);
    }

    public TxState withTimers(List<Timer> newTimers) {
        return new TxState(txId, definition, definitionVersion, status, input, steps, compensationPlan, nextSeq,
                createdAt, updatedAt, reason, deadline, newTimers, operatorActions, held, expiresAt);
    }

    public TxState withProgress(long newNextSeq, Instant newUpdatedAt) {
        return new TxState(txId, definition, definitionVersion, status, input, steps, compensationPlan, newNextSeq,
                createdAt, newUpdatedAt, reason, deadline, timers, operatorActions, held, expiresAt);
    }
}
