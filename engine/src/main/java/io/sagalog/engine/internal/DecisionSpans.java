package io.sagalog.engine.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.engine.Decision;
import io.sagalog.engine.JournalEntry;
import io.sagalog.engine.JournalEvent;
import io.sagalog.engine.Outcome;
import io.sagalog.engine.Phase;
import io.sagalog.engine.TxState;
import io.sagalog.engine.trace.FinishedSpan;
import io.sagalog.engine.trace.SpanSink;
import io.sagalog.schemas.avro.JournalRecord;
import io.sagalog.tracing.SagaSpanIds;
import io.sagalog.tracing.TraceParent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one decision into the spans it finished: an attempt span when a result (or a timeout) for an action or
 * compensation attempt is decided, the transaction span when the transaction ends. Only events that are new to the
 * transaction's history count (a replayed decision whose events the history already holds finishes nothing again),
 * and every time comes from the history: an attempt starts when it was dispatched and ends when its result was
 * decided, at the times of those records; the transaction starts when it was created.
 */
final class DecisionSpans {
    private static final Logger log = LoggerFactory.getLogger(DecisionSpans.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SpanSink sink;

    DecisionSpans(SpanSink sink) {
        this.sink = sink;
    }

    boolean enabled() {
        return sink.enabled();
    }

    /** The transaction span's own context, under the request's trace. */
    static TraceParent transaction(TraceParent request, String txId) {
        return request.withSpanId(SagaSpanIds.transaction(request.traceId(), txId));
    }

    /** The context of one attempt's span: what a participant receives as its parent. */
    static TraceParent attempt(TraceParent request, String txId, String step, String phase, int attempt) {
        return request.withSpanId(SagaSpanIds.attempt(request.traceId(), txId, step, phase, attempt));
    }

    /**
     * Hands the spans the decision finished to the sink.
     *
     * @param prior the transaction's history before this decision (null: none yet)
     */
    void finished(TraceParent request, TxState after, Decision decision, JournalRecord prior) {
        if (after == null) {
            return;
        }
        long lastSeq = prior == null || prior.getEvents().isEmpty() ? -1
                : prior.getEvents().get(prior.getEvents().size() - 1).getSeq();
        List<JournalEntry> entries = decision.journal();
        for (int i = 0; i < entries.size(); i++) {
            JournalEntry e = entries.get(i);
            if (e.seq() <= lastSeq) {
                continue; // already in the history: this decision was made, and its spans finished, before
            }
            try {
                FinishedSpan span = spanOf(request, after, entries, i, prior);
                if (span != null) {
                    sink.finished(span);
                }
            } catch (RuntimeException ex) {
                log.warn("no span for {} of transaction {}: {}", e.event().type(), after.txId(), ex.toString());
            }
        }
    }

    private FinishedSpan spanOf(TraceParent request, TxState tx, List<JournalEntry> entries, int index,
                                JournalRecord prior) {
        JournalEntry e = entries.get(index);
        JournalEvent event = e.event();
        long end = WireCodec.millis(e.at());
        if (event instanceof JournalEvent.TxCompleted || event instanceof JournalEvent.TxRolledBack
                || event instanceof JournalEvent.TxResolved) {
            TraceParent self = transaction(request, tx.txId());
            Map<String, Object> attributes = base(tx);
            attributes.put(FinishedSpan.OUTCOME, e.status().name());
            String rule = lastRule(entries, index, prior);
            if (rule != null) {
                attributes.put(FinishedSpan.RULE, rule);
            }
            boolean failed = !(event instanceof JournalEvent.TxCompleted);
            return new FinishedSpan("transaction " + tx.definition(), FinishedSpan.Kind.INTERNAL, self,
                    SagaSpanIds.isRoot(request, tx.txId()) ? null : request.spanId(), WireCodec.millis(tx.createdAt()),
                    end, attributes, failed, failed ? e.status().name().toLowerCase(java.util.Locale.ROOT)
                    + (tx.reason() == null ? "" : ": " + tx.reason()) : null);
        }
        AttemptEnd ended = AttemptEnd.of(event);
        if (ended == null) {
            return null;
        }
        Map<String, Object> attributes = base(tx);
        attributes.put(FinishedSpan.STEP, ended.step());
        attributes.put(FinishedSpan.ATTEMPT, (long) ended.attempt());
        attributes.put(FinishedSpan.PHASE, ended.phase().name());
        attributes.put(FinishedSpan.OUTCOME, ended.outcome());
        for (int j = index + 1; j < entries.size(); j++) { // the recovery the failure led to, decided with it
            if (entries.get(j).event() instanceof JournalEvent.RecoveryDecided r) {
                attributes.put(FinishedSpan.RULE, r.rule());
                break;
            }
        }
        long start = dispatchedAt(ended, entries, index, prior, end);
        boolean failed = !ended.outcome().equals(Outcome.SUCCEEDED.name());
        return new FinishedSpan((ended.phase() == Phase.ACTION ? "step " : "compensation ") + ended.step(),
                FinishedSpan.Kind.CLIENT, attempt(request, tx.txId(), ended.step(), ended.phase().name(), ended.attempt()),
                transaction(request, tx.txId()).spanId(), start, end, attributes, failed,
                failed ? event.reason() == null ? ended.outcome() : ended.outcome() + ": " + event.reason() : null);
    }

    private static Map<String, Object> base(TxState tx) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put(FinishedSpan.TX_ID, tx.txId());
        attributes.put(FinishedSpan.DEFINITION, tx.definition());
        return attributes;
    }

    /** When the attempt was dispatched: in this decision, else in the history; the end when the history lost it. */
    private static long dispatchedAt(AttemptEnd ended, List<JournalEntry> entries, int index, JournalRecord prior,
                                     long end) {
        String type = ended.phase() == Phase.ACTION ? "StepDispatched" : "CompensationDispatched";
        for (int j = index - 1; j >= 0; j--) {
            if (entries.get(j).event() instanceof JournalEvent.StepEvent s && s.type().equals(type)
                    && s.step().equals(ended.step()) && s.attempt() == ended.attempt()) {
                return WireCodec.millis(entries.get(j).at());
            }
        }
        if (prior != null) {
            List<io.sagalog.schemas.avro.JournalEvent> events = prior.getEvents();
            for (int j = events.size() - 1; j >= 0; j--) {
                io.sagalog.schemas.avro.JournalEvent h = events.get(j);
                if (h.getType().equals(type) && ended.step().equals(h.getStep()) && h.getAttempt() != null
                        && h.getAttempt() == ended.attempt()) {
                    return h.getAtMillis();
                }
            }
        }
        return end;
    }

    /** The rule of the newest recovery decision, in this decision or before it. */
    private static String lastRule(List<JournalEntry> entries, int index, JournalRecord prior) {
        for (int j = index; j >= 0; j--) {
            if (entries.get(j).event() instanceof JournalEvent.RecoveryDecided r) {
                return r.rule();
            }
        }
        if (prior != null) {
            List<io.sagalog.schemas.avro.JournalEvent> events = prior.getEvents();
            for (int j = events.size() - 1; j >= 0; j--) {
                io.sagalog.schemas.avro.JournalEvent h = events.get(j);
                if (h.getType().equals("RecoveryDecided") && h.getDetail() != null) {
                    try {
                        return JSON.readTree(h.getDetail()).path("rule").asText(null);
                    } catch (java.io.IOException e) {
                        return null;
                    }
                }
            }
        }
        return null;
    }

    /** An event that ends an attempt: which attempt, and how it ended. */
    private record AttemptEnd(String step, int attempt, Phase phase, String outcome) {
        static AttemptEnd of(JournalEvent event) {
            if (event instanceof JournalEvent.StepSucceeded e) {
                return new AttemptEnd(e.step(), e.attempt(), Phase.ACTION, Outcome.SUCCEEDED.name());
            } else if (event instanceof JournalEvent.StepFailed e) {
                return new AttemptEnd(e.step(), e.attempt(), Phase.ACTION, e.outcome().name());
            } else if (event instanceof JournalEvent.StepTimedOut e) {
                return new AttemptEnd(e.step(), e.attempt(), Phase.ACTION, "TIMED_OUT");
            } else if (event instanceof JournalEvent.StepCompensated e) {
                return new AttemptEnd(e.step(), e.attempt(), Phase.COMPENSATION, Outcome.SUCCEEDED.name());
            } else if (event instanceof JournalEvent.CompensationFailed e) {
                return new AttemptEnd(e.step(), e.attempt(), Phase.COMPENSATION, e.outcome().name());
            } else if (event instanceof JournalEvent.CompensationTimedOut e) {
                return new AttemptEnd(e.step(), e.attempt(), Phase.COMPENSATION, "TIMED_OUT");
            }
            return null;
        }
    }
}
