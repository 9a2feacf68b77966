package io.sagalog.engine;

import java.util.List;

/**
 * What the decider made of one input: the new state and the effects to carry out.
 *
 * @param state the state to store, or null when nothing is to be stored (an input for no known transaction)
 * @param journal events to append to the journal, in order
 * @param commands step requests to send to participants
 * @param timers changes to the durable timers, in order
 * @param retirement what the engine must do with the finished transaction as a whole (archive it, evict it)
 */
public record Decision(TxState state, List<JournalEntry> journal, List<StepCommand> commands,
                       List<TimerCommand> timers, Retirement retirement) {
    public Decision {
        journal = List.copyOf(journal);
        commands = List.copyOf(commands);
        timers = List.copyOf(timers);
        retirement = retirement == null ? Retirement.NONE : retirement;
    }

    public Decision(TxState state, List<JournalEntry> journal, List<StepCommand> commands, List<TimerCommand> timers) {
        this(state, journal, commands, timers, Retirement.NONE);
    }

    /**
     * The two halves of expiry, one decision each, so the archive is written before anything is deleted: ARCHIVE
     * appends the final state and history to the archive topic (the state is not rewritten) and an {@code EVICT}
     * timer to the control log; EVICT, decided when that record is read back, deletes the transaction from the stores
     * and leaves a small marker (see docs/retention.md).
     */
    public enum Retirement { NONE, ARCHIVE, EVICT }
}
