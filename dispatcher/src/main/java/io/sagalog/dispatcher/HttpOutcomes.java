package io.sagalog.dispatcher;

import io.sagalog.dispatcher.ParticipantLane.Answer;
import io.sagalog.schemas.avro.Outcome;

/**
 * What an HTTP call means for the engine: the one table of the HTTP participant protocol (README, "Participants in
 * any language"; docs/recovery.md, "Failure classes"). The question each row answers is whether the participant's
 * effect may have happened:
 *
 * <ul>
 *   <li>Not sent (no connection: refused, connect timeout, unknown host; circuit open): nothing happened,
 *       {@code FAILED_TRANSIENT}. A request whose deadline passed before its turn (or was less than
 *       {@link ParticipantLane#MIN_TIME_LEFT_MILLIS} away): {@code EXPIRED}.</li>
 *   <li>Sent, and then no answer (timeout, reset, closed connection): the effect may have happened,
 *       {@code UNKNOWN} (the step is in doubt, exactly like a step timeout).</li>
 *   <li>2xx: {@code SUCCEEDED} ({@code 202}: the participant reports later). A 2xx whose body is larger than
 *       {@link #MAX_OUTPUT_BYTES} says the effect happened but its output cannot be used: {@code UNKNOWN}, so a
 *       rollback compensates it rather than leaving it behind.</li>
 *   <li>409 and 422: a rejection, {@code FAILED_PERMANENT}.</li>
 *   <li>Any other 4xx, and 3xx other than 303 (redirects are not followed): the request was refused before it was
 *       processed, {@code FAILED_TRANSIENT}.</li>
 *   <li>5xx, and 303 (See Other: "processed, the result is elsewhere"): {@code UNKNOWN}. A 5xx may come from a
 *       proxy that lost the connection after forwarding (502, 504, and a 503 "upstream reset"), or from a
 *       participant that failed after its effect was committed (500). A participant that knows nothing happened
 *       says so with the header {@code Sagalog-Effect: none} on any non-2xx answer: then it is
 *       {@code FAILED_TRANSIENT}. No proxy adds that header, so it cannot be mistaken.</li>
 * </ul>
 */
final class HttpOutcomes {
    /** Largest 2xx body taken as a step's output. */
    static final int MAX_OUTPUT_BYTES = 256 * 1024;
    /** At most this much of a non-2xx body is kept, as the error text; the rest is read and dropped. */
    static final int MAX_ERROR_BYTES = 4 * 1024;
    /** The header with which a participant states that its effect did not happen. */
    static final String EFFECT_HEADER = "Sagalog-Effect";

    private HttpOutcomes() {}

    /** The call never left: no connection could be had (refused, connect timeout, unknown host, TLS failure). */
    static Answer notSent(String url, Throwable cause) {
        return Answer.of(Outcome.FAILED_TRANSIENT, null, "call to " + url + " failed before the request was sent: "
                + describe(cause));
    }

    /** No connection within the time the call had: nothing was sent. */
    static Answer noConnectionInTime(String url, long timeoutMillis) {
        return Answer.of(Outcome.FAILED_TRANSIENT, null, "call to " + url + " failed before the request was sent: "
                + "no connection within " + timeoutMillis + " ms");
    }

    /** The request went out on a connection and the connection broke before a whole answer came back. */
    static Answer lostAfterSending(String url, Throwable cause) {
        return Answer.of(Outcome.UNKNOWN, null, "outcome unknown: the request to " + url + " was sent and the "
                + "connection broke before an answer came (" + describe(cause) + "); the effect may have happened");
    }

    /** The request went out and no whole answer came within the call's time. */
    static Answer noAnswerInTime(String url, long timeoutMillis) {
        return Answer.of(Outcome.UNKNOWN, null, "outcome unknown: the request to " + url + " was sent and no answer "
                + "came within " + timeoutMillis + " ms; the effect may have happened");
    }

    /** A 2xx answer whose body is over {@link #MAX_OUTPUT_BYTES}: done, but its output cannot be kept. */
    static Answer outputTooLarge(int status, long bytesSeen) {
        return Answer.of(Outcome.UNKNOWN, null, "outcome unknown: HTTP " + status + " with a body of more than "
                + MAX_OUTPUT_BYTES + " bytes (" + bytesSeen + " read before giving up); outputs are limited to "
                + MAX_OUTPUT_BYTES + " bytes, so the step's effect happened but its output cannot be used");
    }

    /**
     * A whole answer (for a 2xx, a body within {@link #MAX_OUTPUT_BYTES}; for anything else the first
     * {@link #MAX_ERROR_BYTES}).
     *
     * @param effectHeader the value of {@value #EFFECT_HEADER}, or null
     * @param location the {@code Location} header, or null
     */
    static Answer ofResponse(int status, String effectHeader, String location, String body, boolean truncated) {
        if (status == 202) {
            return new Answer(null, null, null, true);
        }
        if (status >= 200 && status < 300) {
            return Answer.of(Outcome.SUCCEEDED, ParticipantCallJson.answer(body), null);
        }
        String reason = reason(status, body, truncated);
        if (status == 409 || status == 422) {
            return Answer.of(Outcome.FAILED_PERMANENT, null, reason);
        }
        if (effectHeader != null && effectHeader.trim().equalsIgnoreCase("none")) {
            return Answer.of(Outcome.FAILED_TRANSIENT, null, reason + " (the participant says nothing happened)");
        }
        if (status == 303) {
            return Answer.of(Outcome.UNKNOWN, null, "outcome unknown: " + reason + " (303 See Other after a POST "
                    + "means it was processed elsewhere; redirects are not followed)");
        }
        if (status >= 300 && status < 400) {
            return Answer.of(Outcome.FAILED_TRANSIENT, null, reason + " (redirect to "
                    + (location == null ? "nowhere" : location) + " not followed; check the participant's url)");
        }
        if (status >= 400 && status < 500) {
            return Answer.of(Outcome.FAILED_TRANSIENT, null, reason);
        }
        return Answer.of(Outcome.UNKNOWN, null, "outcome unknown: " + reason + " (a 5xx may come after the effect "
                + "happened; a participant that knows nothing happened answers with " + EFFECT_HEADER + ": none)");
    }

    /** True when the answer says the participant (or what stands in front of it) is failing, for the breaker. */
    static boolean countsAsError(int status) {
        return status >= 500 || status == 429 || status == 408;
    }

    private static String reason(int status, String text, boolean truncated) {
        String t = text == null ? "" : text;
        return "HTTP " + status + (t.isBlank() ? "" : ": " + t) + (truncated ? "... (cut at " + MAX_ERROR_BYTES
                + " bytes)" : "");
    }

    private static String describe(Throwable cause) {
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
