package io.sagalog.engine.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.engine.HistoryEntry;
import io.sagalog.engine.Input;
import io.sagalog.engine.OperatorAction;
import io.sagalog.engine.JournalEntry;
import io.sagalog.engine.JournalEvent;
import io.sagalog.engine.Outcome;
import io.sagalog.engine.Phase;
import io.sagalog.engine.StepCommand;
import io.sagalog.engine.StepState;
import io.sagalog.engine.StepStatus;
import io.sagalog.engine.Timer;
import io.sagalog.engine.TxState;
import io.sagalog.engine.TxStatus;
import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.JournalEvent.Builder;
import io.sagalog.schemas.avro.JournalRecord;
import io.sagalog.schemas.avro.StepRequest;
import io.sagalog.schemas.avro.StepResult;
import io.sagalog.schemas.avro.StepStateRecord;
import io.sagalog.schemas.avro.TimerRecord;
import io.sagalog.schemas.avro.TxRequested;
import io.sagalog.schemas.avro.TxStateRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Converts between the Avro records on the wire and the engine's typed values. The only place that knows both. */
public final class WireCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private WireCodec() {}

    /**
     * Epoch millis, saturated at the ends of the long range: an instant too far out (a deadline of centuries) must
     * never make a state unstorable; refusing such values is the edge's job, surviving them is this one's.
     */
    static long millis(Instant instant) {
        if (instant.getEpochSecond() >= Long.MAX_VALUE / 1000 - 1) {
            return Long.MAX_VALUE;
        }
        if (instant.getEpochSecond() <= Long.MIN_VALUE / 1000 + 1) {
            return Long.MIN_VALUE;
        }
        return instant.toEpochMilli();
    }

    /** @throws IllegalArgumentException for a record whose body this engine does not understand */
    public static Input input(ControlRecord record) {
        Object body = record.getBody();
        if (body instanceof TxRequested r) {
            return new Input.TxRequested(record.getTxId(), r.getDefinition(), r.getInput(), r.getIdempotencyKey());
        }
        if (body instanceof StepResult r) {
            return new Input.StepResult(record.getTxId(), r.getStep(), r.getAttempt(), Phase.valueOf(r.getPhase().name()),
                    Outcome.valueOf(r.getOutcome().name()), r.getOutput(), r.getError(),
                    r.getQueuedMillis() == null ? -1 : Math.max(0, r.getQueuedMillis()));
        }
        if (body instanceof io.sagalog.schemas.avro.OperatorCommand c) {
            return new Input.OperatorCommand(record.getTxId(), c.getActionId(), OperatorAction.parse(c.getAction()),
                    c.getStep(), c.getOutput(), c.getReason(), c.getActor(), c.getForce(), c.getExpectedSeq());
        }
        if (body instanceof io.sagalog.schemas.avro.TimerFired t) {
            return new Input.TimerFired(record.getTxId(), new Timer(Instant.ofEpochMilli(t.getDueMillis()),
                    Timer.Kind.valueOf(t.getKind()), t.getStep(), t.getAttempt(),
                    t.getPhase() == null ? null : Phase.valueOf(t.getPhase().name())));
        }
        throw new IllegalArgumentException("unknown control record body " + (body == null ? null : body.getClass()));
    }

    /** Any input as the control record that carries it: the one place that builds control records. */
    public static ControlRecord encode(Input input, long atMillis) {
        if (input instanceof Input.TxRequested r) {
            return ControlRecord.newBuilder().setTxId(r.txId()).setAtMillis(atMillis)
                    .setBody(io.sagalog.schemas.avro.TxRequested.newBuilder().setDefinition(r.definition())
                            .setInput(r.input()).setIdempotencyKey(r.idempotencyKey()).build())
                    .build();
        }
        if (input instanceof Input.StepResult r) {
            return io.sagalog.schemas.StepResults.encode(r.txId(), r.step(), r.attempt(),
                    io.sagalog.schemas.avro.Phase.valueOf(r.phase().name()),
                    io.sagalog.schemas.avro.Outcome.valueOf(r.outcome().name()), r.output(), r.error(),
                    r.queuedMillis(), atMillis);
        }
        if (input instanceof Input.TimerFired t) {
            return timerFired(t.txId(), t.timer(), atMillis);
        }
        return operatorCommand((Input.OperatorCommand) input, atMillis);
    }

    /** The control record that makes a due timer take effect when the engine reads it back. */
    public static ControlRecord timerFired(String txId, Timer t, long atMillis) {
        return ControlRecord.newBuilder().setTxId(txId).setAtMillis(atMillis)
                .setBody(io.sagalog.schemas.avro.TimerFired.newBuilder().setKind(t.kind().name())
                        .setDueMillis(millis(t.due())).setStep(t.step()).setAttempt(t.attempt())
                        .setPhase(t.phase() == null ? null : io.sagalog.schemas.avro.Phase.valueOf(t.phase().name()))
                        .build())
                .build();
    }

    /** An operator's action as a control record. */
    public static ControlRecord operatorCommand(Input.OperatorCommand c, long atMillis) {
        return ControlRecord.newBuilder().setTxId(c.txId()).setAtMillis(atMillis)
                .setBody(io.sagalog.schemas.avro.OperatorCommand.newBuilder().setActionId(c.actionId())
                        .setAction(c.action().wireName()).setStep(c.step()).setOutput(c.output())
                        .setReason(c.reason()).setActor(c.actor()).setForce(c.force()).setExpectedSeq(c.expectedSeq())
                        .build())
                .build();
    }

    public static TxState state(TxStateRecord r) {
        if (r == null) {
            return null;
        }
        List<StepState> steps = new ArrayList<>(r.getSteps().size());
        for (StepStateRecord s : r.getSteps()) {
            steps.add(new StepState(s.getName(), StepStatus.valueOf(s.getStatus()), s.getAttempt(),
                    s.getCompensationAttempt(), s.getOutput(), s.getError(), s.getInDoubt()));
        }
        List<Timer> timers = new ArrayList<>(r.getTimers().size());
        for (TimerRecord t : r.getTimers()) {
            timers.add(new Timer(Instant.ofEpochMilli(t.getDueMillis()), Timer.Kind.valueOf(t.getKind()), t.getStep(),
                    t.getAttempt(), t.getPhase() == null ? null : Phase.valueOf(t.getPhase().name())));
        }
        return new TxState(r.getTxId(), r.getDefinition(), r.getDefinitionVersion(), TxStatus.valueOf(r.getStatus()),
                r.getInput(), steps, r.getCompensationPlan(), r.getNextSeq(), Instant.ofEpochMilli(r.getCreatedAtMillis()),
                Instant.ofEpochMilli(r.getUpdatedAtMillis()), r.getReason(), Instant.ofEpochMilli(r.getDeadlineMillis()),
                timers, r.getOperatorActions(), r.getHeld(),
                r.getExpiresAtMillis() == 0 ? null : Instant.ofEpochMilli(r.getExpiresAtMillis()));
    }

    public static TxStateRecord record(TxState s) {
        List<StepStateRecord> steps = new ArrayList<>(s.steps().size());
        for (StepState step : s.steps()) {
            steps.add(StepStateRecord.newBuilder().setName(step.name()).setStatus(step.status().name())
                    .setAttempt(step.attempt()).setCompensationAttempt(step.compensationAttempt())
                    .setOutput(step.output()).setError(step.error()).setInDoubt(step.inDoubt()).build());
        }
        List<TimerRecord> timers = new ArrayList<>(s.timers().size());
        for (Timer t : s.timers()) {
            timers.add(TimerRecord.newBuilder().setDueMillis(millis(t.due())).setKind(t.kind().name())
                    .setStep(t.step()).setAttempt(t.attempt())
                    .setPhase(t.phase() == null ? null : io.sagalog.schemas.avro.Phase.valueOf(t.phase().name())).build());
        }
        return TxStateRecord.newBuilder().setTxId(s.txId()).setDefinition(s.definition())
                .setDefinitionVersion(s.definitionVersion()).setStatus(s.status().name()).setInput(s.input())
                .setSteps(steps).setCompensationPlan(new ArrayList<>(s.compensationPlan())).setNextSeq(s.nextSeq())
                .setCreatedAtMillis(millis(s.createdAt())).setUpdatedAtMillis(millis(s.updatedAt()))
                .setReason(s.reason()).setDeadlineMillis(millis(s.deadline())).setTimers(timers)
                .setOperatorActions(new ArrayList<>(s.operatorActions())).setHeld(s.held())
                .setExpiresAtMillis(s.expiresAt() == null ? 0 : millis(s.expiresAt())).build();
    }

    public static StepRequest request(StepCommand c) {
        return StepRequest.newBuilder().setTxId(c.txId()).setDefinition(c.definition()).setStep(c.step())
                .setParticipant(c.participant()).setPhase(io.sagalog.schemas.avro.Phase.valueOf(c.phase().name()))
                .setHandler(c.handler()).setAttempt(c.attempt()).setIdempotencyKey(c.idempotencyKey())
                .setInput(c.input()).setContext(c.context()).setDeadlineMillis(millis(c.deadline())).build();
    }

    public static JournalRecord journal(String txId, List<JournalEntry> entries) {
        List<io.sagalog.schemas.avro.JournalEvent> events = new ArrayList<>(entries.size());
        for (JournalEntry e : entries) {
            Builder b = io.sagalog.schemas.avro.JournalEvent.newBuilder().setSeq(e.seq()).setType(e.event().type())
                    .setAtMillis(millis(e.at())).setStatus(e.status().name()).setReason(e.event().reason());
            if (e.event() instanceof JournalEvent.StepEvent s) {
                b.setStep(s.step()).setAttempt(s.attempt());
            } else if (e.event() instanceof JournalEvent.OperatorActed o) {
                b.setStep(o.step());
            }
            String detail = detail(e.event());
            b.setDetail(detail);
            events.add(b.build());
        }
        return JournalRecord.newBuilder().setTxId(txId).setEvents(events).build();
    }

    public static List<HistoryEntry> history(JournalRecord record) {
        List<HistoryEntry> entries = new ArrayList<>(record.getEvents().size());
        for (io.sagalog.schemas.avro.JournalEvent e : record.getEvents()) {
            entries.add(new HistoryEntry(e.getSeq(), Instant.ofEpochMilli(e.getAtMillis()), e.getType(),
                    TxStatus.valueOf(e.getStatus()), e.getStep(), e.getAttempt(), e.getReason(), e.getDetail()));
        }
        return entries;
    }

    /** Facts that only some events have, as a small JSON object; null when there are none. */
    private static String detail(JournalEvent event) {
        ObjectNode d = JSON.createObjectNode();
        if (event instanceof JournalEvent.TxStarted e) {
            d.put("definition", e.definition()).put("definitionVersion", e.definitionVersion());
        } else if (event instanceof JournalEvent.StepDispatched e) {
            d.put("participant", e.participant()).put("handler", e.handler());
        } else if (event instanceof JournalEvent.CompensationDispatched e) {
            d.put("participant", e.participant()).put("handler", e.handler());
        } else if (event instanceof JournalEvent.StepFailed e) {
            d.put("outcome", e.outcome().name());
        } else if (event instanceof JournalEvent.CompensationFailed e) {
            d.put("outcome", e.outcome().name());
        } else if (event instanceof JournalEvent.ResultIgnored e) {
            d.put("phase", e.phase().name()).put("outcome", e.outcome().name());
        } else if (event instanceof JournalEvent.RecoveryDecided e) {
            d.put("direction", e.direction().name()).put("rule", e.rule());
            ObjectNode facts = d.putObject("facts");
            e.facts().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                    .forEach(f -> facts.put(f.getKey(), f.getValue()));
        } else if (event instanceof JournalEvent.RetryScheduled e) {
            d.put("phase", e.phase().name()).put("at", e.at().toString());
        } else if (event instanceof JournalEvent.OperatorActed e) {
            d.put("actionId", e.actionId()).put("action", e.action().wireName()).put("actor", e.actor())
                    .put("forced", e.forced());
        } else if (event instanceof JournalEvent.OperatorActionRefused e) {
            d.put("actionId", e.actionId()).put("action", e.action().wireName()).put("actor", e.actor());
        } else if (event instanceof JournalEvent.OperatorActionIgnored e) {
            d.put("actionId", e.actionId());
        } else if (event instanceof JournalEvent.TransitionRejected e) {
            d.put("from", e.from().name()).put("trigger", e.trigger());
        }
        return d.isEmpty() ? null : d.toString();
    }
}
