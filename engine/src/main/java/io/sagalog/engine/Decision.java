package io.sagalog.engine;

import java.util.List;

/**
 * What the decider made of one input: the new state and the effects to carry out.
 *
 * @param state the state to store, or null when nothing is to be stored (an input for no known transaction)
 * @param journal events to append to the journal, in order
 * @param commands step requests to send to participants
 * @param timers changes to the durable timers, in order
 */
public record Decision(TxState state, List<JournalEntry> journal, List<StepCommand> commands,
                       List<TimerCommand> timers) {
    public Decision {
        journal = List.copyOf(journal);
        commands = List.copyOf(commands);
        timers = List.copyOf(timers);
    }
}
