package io.sagalog.engine;

/**
 * The work behind the rows of the {@link TransitionTable}, by path: {@link ForwardPath}, {@link RollbackPath},
 * {@link OperatorPath}, {@link WaitingPath},
 * {@link RetentionPath} and {@link QuietInputs}; all made of the same {@link Moves}.
 */
final class Transitions {
    /** Default bound of a step request's input plus context: below Kafka's default max.message.bytes (1 MiB). */
    static final long DEFAULT_MAX_STEP_REQUEST_BYTES = Moves.DEFAULT_MAX_STEP_REQUEST_BYTES;

    final Moves moves;
    final WaitingPath waiting;
    final ForwardPath forward;
    final RollbackPath rollback;
    final OperatorPath operator;
    final QuietInputs quiet;
    final RetentionPath retention;

    Transitions(Registrations registrations, long maxStepRequestBytes, Retention retention) {
        this.moves = new Moves(registrations, maxStepRequestBytes);
        this.retention = new RetentionPath(registrations, retention);
        this.waiting = new WaitingPath(moves);
        this.forward = new ForwardPath(moves, waiting);
        this.rollback = new RollbackPath(moves);
        this.operator = new OperatorPath(moves, this.retention);
        this.quiet = new QuietInputs(moves, forward, rollback);
    }

    Registrations registrations() {
        return moves.registrations;
    }
}
