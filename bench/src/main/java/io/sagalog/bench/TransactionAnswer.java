package io.sagalog.bench;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Judges ingest's answer to {@code POST /v1/transactions?wait=30s}: it answers 200 with the transaction (its
 * {@code status} among the first fields) once it settled, or 202 when the wait ran out first. A bench must not
 * count an answer as a completed transaction just because HTTP said 2xx: a 202 means it was still running after
 * 30 s, and a transaction that settled with the wrong status (completed when it should have rolled back, or
 * parked) means the figures are not about the workload that was meant.
 *
 * <p>The status is found by text rather than by parsing the whole answer (which repeats the input, 11 KB for
 * S3-11KB), so the load generator's own CPU stays small. That relies on the answer's top-level {@code status}
 * coming before any nested one, as both answer shapes have it ({@code txId}, {@code definition}, ...,
 * {@code status}, then {@code input}, {@code steps}).
 */
final class TransactionAnswer {
    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([A-Za-z_]+)\"");
    private static final Set<String> SETTLED = Set.of("COMPLETED", "ROLLED_BACK", "RESOLVED", "PARKED");
    private static final int BODY_EXCERPT = 120;

    private TransactionAnswer() {
    }

    /** The first {@code "status": "..."} of a JSON answer, or null. */
    static String status(String body) {
        if (body == null) {
            return null;
        }
        Matcher m = STATUS.matcher(body);
        return m.find() ? m.group(1) : null;
    }

    /**
     * Returns the final status if the answer is the one expected, else throws with a message that groups alike
     * failures (no transaction ids, so the load driver's few failure samples show the distinct kinds).
     *
     * @param expected {@code COMPLETED} or {@code ROLLED_BACK}
     * @throws IllegalStateException for an HTTP error, an answer that is not final, or the wrong final status
     */
    static String check(int httpStatus, String body, String expected) {
        String status = status(body);
        if (httpStatus == 202) {
            throw new IllegalStateException("HTTP 202: not settled when the wait ran out (status " + status + ")");
        }
        if (httpStatus != 200) {
            throw new IllegalStateException("HTTP " + httpStatus + ": " + excerpt(body));
        }
        if (status == null) {
            throw new IllegalStateException("HTTP 200 without a status: " + excerpt(body));
        }
        if (!SETTLED.contains(status)) {
            throw new IllegalStateException("HTTP 200 with a status that is not final: " + status);
        }
        if (!status.equals(expected)) {
            throw new IllegalStateException("settled as " + status + ", expected " + expected);
        }
        return status;
    }

    private static String excerpt(String body) {
        if (body == null || body.isEmpty()) {
            return "(no body)";
        }
        String oneLine = body.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= BODY_EXCERPT ? oneLine : oneLine.substring(0, BODY_EXCERPT) + "...";
    }
}
