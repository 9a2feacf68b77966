package io.sagalog.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;

/**
 * What a fault did to the accepted transactions of one load window: the invariants (none lost, all final, none
 * PARKED or rolled back, every step's effect applied once at the participant, history seq without gaps) as a list of
 * violations, and the figures (longest stall without a completion, time until every in-flight transaction moved
 * again, p99) from the transactions' own timestamps ({@code createdAt}, {@code updatedAt}, history {@code at}: the
 * brokers' append times, one machine's clock).
 */
final class FaultReport {
    final List<String> violations = new ArrayList<>();
    final int accepted;
    final Map<String, Integer> statuses = new java.util.TreeMap<>();
    final int maxDeliveriesPerKey;
    Duration longestStall = Duration.ZERO;
    Instant stallFrom;
    Duration allMovedAgain = Duration.ZERO;
    /**
     * The longest any transaction waited for its next history entry after the fault (counted from the fault for one
     * waiting then): for an engine lost, how long its partitions went unserved until another instance took them.
     */
    Duration longestWait = Duration.ZERO;
    int inFlightAtFault;
    Duration p50 = Duration.ZERO;
    Duration p99 = Duration.ZERO;
    Duration max = Duration.ZERO;

    /**
     * @param txs the last JSON of each accepted transaction (absent: not found)
     * @param steps the definition's steps as participant, step name and action, in order
     * @param calls every call the participants received
     * @param faultAt when the fault was caused
     */
    FaultReport(List<FaultLoad.Submit> acceptedSubmits, Map<String, JsonNode> txs, List<String[]> steps,
                List<FakeHttpParticipant.Call> calls, Instant faultAt) {
        accepted = acceptedSubmits.size();
        Map<String, List<FakeHttpParticipant.Call>> callsByTx = new HashMap<>();
        int maxDeliveries = 0;
        for (FakeHttpParticipant.Call c : calls) {
            callsByTx.computeIfAbsent(c.txId(), k -> new ArrayList<>()).add(c);
            maxDeliveries = Math.max(maxDeliveries, c.delivery());
        }
        maxDeliveriesPerKey = maxDeliveries;
        List<Instant> completions = new ArrayList<>();
        List<Long> latencies = new ArrayList<>();
        for (FaultLoad.Submit s : acceptedSubmits) {
            if (s.txId() == null) {
                violations.add("submit #" + s.seq() + " answered 202 without a txId");
                continue;
            }
            JsonNode tx = txs.get(s.txId());
            if (tx == null) {
                violations.add("LOST " + s.txId() + " (accepted by engine-" + s.engine() + " at " + s.sentAt() + ")");
                continue;
            }
            String status = tx.path("status").asText();
            statuses.merge(status, 1, Integer::sum);
            if (!FaultLoad.FINAL.contains(status)) {
                violations.add("NOT FINAL " + s.txId() + " " + status + " history " + excerpt(tx));
                continue;
            }
            if (!status.equals("COMPLETED")) {
                violations.add(status + " " + s.txId() + " (every participant succeeds) reason '" + tx.path("reason").asText()
                        + "' history " + excerpt(tx));
            }
            checkHistory(s.txId(), tx);
            if (faultAt != null) {
                longestWait(tx, faultAt);
            }
            checkEffects(s.txId(), status, steps, callsByTx.getOrDefault(s.txId(), List.of()));
            Instant created = Instant.parse(tx.path("createdAt").asText());
            Instant done = Instant.parse(tx.path("updatedAt").asText());
            completions.add(done);
            latencies.add(Duration.between(created, done).toMillis());
            if (faultAt != null && created.isBefore(faultAt) && done.isAfter(faultAt)) {
                inFlightAtFault++;
                Instant moved = history(tx).stream().map(e -> Instant.parse(e.path("at").asText()))
                        .filter(at -> at.isAfter(faultAt)).findFirst().orElse(done);
                Duration d = Duration.between(faultAt, moved);
                if (d.compareTo(allMovedAgain) > 0) {
                    allMovedAgain = d;
                }
            }
        }
        latencies.sort(null);
        if (!latencies.isEmpty()) {
            p50 = Duration.ofMillis(latencies.get(latencies.size() / 2));
            p99 = Duration.ofMillis(latencies.get(Math.min(latencies.size() - 1, (int) Math.ceil(latencies.size() * 0.99) - 1)));
            max = Duration.ofMillis(latencies.get(latencies.size() - 1));
        }
        completions.sort(null);
        if (faultAt != null) {
            Instant previous = faultAt;
            for (Instant c : completions) {
                if (c.isAfter(faultAt)) {
                    Duration gap = Duration.between(previous, c);
                    if (gap.compareTo(longestStall) > 0) {
                        longestStall = gap;
                        stallFrom = previous;
                    }
                    previous = c;
                }
            }
        }
    }

    private static List<JsonNode> history(JsonNode tx) {
        return StreamSupport.stream(tx.path("history").spliterator(), false).toList();
    }

    private void longestWait(JsonNode tx, Instant faultAt) {
        List<JsonNode> h = history(tx);
        for (int i = 1; i < h.size(); i++) {
            Instant at = Instant.parse(h.get(i).path("at").asText());
            Instant previous = Instant.parse(h.get(i - 1).path("at").asText());
            if (at.isAfter(faultAt)) {
                Duration wait = Duration.between(previous.isAfter(faultAt) ? previous : faultAt, at);
                if (wait.compareTo(longestWait) > 0) {
                    longestWait = wait;
                }
            }
        }
    }

    /** The history's seq runs without a gap or a repeat. */
    private void checkHistory(String txId, JsonNode tx) {
        List<JsonNode> h = history(tx);
        for (int i = 1; i < h.size(); i++) {
            if (h.get(i).path("seq").asLong() != h.get(i - 1).path("seq").asLong() + 1) {
                violations.add("HISTORY GAP " + txId + " seq " + h.get(i - 1).path("seq") + " -> " + h.get(i).path("seq")
                        + " history " + excerpt(tx));
                return;
            }
        }
    }

    /**
     * Every step's action reached its participant under exactly one idempotency key ({@code txId:step:action}), so an
     * idempotent participant applied its effect once however often it was delivered; no compensation for a
     * completed transaction.
     */
    private void checkEffects(String txId, String status, List<String[]> steps, List<FakeHttpParticipant.Call> calls) {
        for (String[] step : steps) {
            Set<String> keys = new HashSet<>();
            calls.stream().filter(c -> c.isAction() && c.step().equals(step[1])).forEach(c -> keys.add(c.idempotencyKey()));
            if (status.equals("COMPLETED") && keys.size() != 1) {
                violations.add("EFFECTS " + txId + " step " + step[1] + ": " + keys.size() + " distinct action effects " + keys);
            }
            if (keys.size() > 1) {
                violations.add("EFFECTS " + txId + " step " + step[1] + " applied under " + keys.size() + " keys " + keys);
            }
        }
        if (status.equals("COMPLETED") && calls.stream().anyMatch(c -> !c.isAction())) {
            violations.add("EFFECTS " + txId + " completed but a compensation was called");
        }
    }

    /** The history as {@code seq:type[:step]@at}, for a report. */
    static String excerpt(JsonNode tx) {
        StringBuilder b = new StringBuilder("[");
        for (JsonNode e : history(tx)) {
            b.append(e.path("seq").asText()).append(':').append(e.path("type").asText());
            if (e.has("step")) {
                b.append(':').append(e.path("step").asText());
            }
            if (e.has("reason")) {
                b.append("('").append(e.path("reason").asText()).append("')");
            }
            b.append('@').append(e.path("at").asText().substring(11)).append(' ');
        }
        return b.append(']').toString();
    }

    String figures() {
        return String.format("accepted %d %s; longest stall %.1f s (from %s); every in-flight tx (%d) moved again within "
                        + "%.1f s; longest wait for a next step %.1f s; latency p50 %d ms p99 %d ms max %d ms; most deliveries of one key %d",
                accepted, statuses, longestStall.toMillis() / 1e3, stallFrom, inFlightAtFault,
                allMovedAgain.toMillis() / 1e3, longestWait.toMillis() / 1e3, p50.toMillis(), p99.toMillis(), max.toMillis(), maxDeliveriesPerKey);
    }

    /** The violations, at most {@code n}, one a line. */
    String violations(int n) {
        return violations.size() + " violations:\n  " + String.join("\n  ", violations.subList(0, Math.min(n, violations.size())));
    }
}
