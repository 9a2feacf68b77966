package io.sagalog.tracing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A W3C trace context ({@code traceparent}: {@code 00-<trace-id>-<parent-id>-<flags>}), parsed and written by hand so
 * that every module (the participant SDK too) carries it without an OpenTelemetry jar. It rides in the Kafka record
 * header {@value #HEADER} on control, step-request and journal records, and in the HTTP header of the same name.
 *
 * @param traceId 32 lower-case hex digits, not all zero
 * @param spanId 16 lower-case hex digits, not all zero: the span this context names
 * @param sampled the sampled flag
 */
public record TraceParent(String traceId, String spanId, boolean sampled) {
    /** The record and HTTP header name. */
    public static final String HEADER = "traceparent";
    private static final HexFormat HEX = HexFormat.of();

    public TraceParent {
        if (!isId(traceId, 32) || !isId(spanId, 16)) {
            throw new IllegalArgumentException("not a W3C trace id / span id: " + traceId + " / " + spanId);
        }
    }

    /**
     * The context in a {@code traceparent} value, or empty when it is missing or malformed (never an exception):
     * version {@code 00} exactly as the spec says; a later version is read by its first four fields, as the spec
     * asks of readers.
     */
    public static Optional<TraceParent> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String h = header.trim();
        if (h.length() < 55 || h.charAt(2) != '-' || h.charAt(35) != '-' || h.charAt(52) != '-') {
            return Optional.empty();
        }
        String version = h.substring(0, 2);
        if (!isHex(version) || version.equals("ff") || (version.equals("00") && h.length() != 55)
                || (!version.equals("00") && h.length() > 55 && h.charAt(55) != '-')) {
            return Optional.empty();
        }
        String traceId = h.substring(3, 35);
        String spanId = h.substring(36, 52);
        String flags = h.substring(53, 55);
        if (!isId(traceId, 32) || !isId(spanId, 16) || !isHex(flags)) {
            return Optional.empty();
        }
        return Optional.of(new TraceParent(traceId, spanId, (Integer.parseInt(flags, 16) & 1) == 1));
    }

    /** The context in a header's bytes (UTF-8), or empty. */
    public static Optional<TraceParent> parse(byte[] header) {
        return header == null ? Optional.empty() : parse(new String(header, StandardCharsets.UTF_8));
    }

    /** The context in a Kafka record's {@value #HEADER} header, or empty (no header, or a malformed one). */
    public static Optional<TraceParent> from(org.apache.kafka.common.header.Headers headers) {
        org.apache.kafka.common.header.Header h = headers == null ? null : headers.lastHeader(HEADER);
        return h == null ? Optional.empty() : parse(h.value());
    }

    /** Fresh Kafka record headers holding this context. */
    public org.apache.kafka.common.header.Headers asHeaders() {
        return new org.apache.kafka.common.header.internals.RecordHeaders().add(HEADER, headerBytes());
    }

    /** A new trace: random trace id, the given span id, sampled. */
    public static TraceParent newTrace(String spanId) {
        byte[] id = new byte[16];
        do {
            ThreadLocalRandom.current().nextBytes(id); // as OpenTelemetry's own ids: random, not secret
        } while (allZero(id));
        return new TraceParent(HEX.formatHex(id), spanId, true);
    }

    /** A random span id. */
    public static String randomSpanId() {
        byte[] id = new byte[8];
        do {
            ThreadLocalRandom.current().nextBytes(id); // as OpenTelemetry's own ids: random, not secret
        } while (allZero(id));
        return HEX.formatHex(id);
    }

    /**
     * A span id derived from what identifies the span (its trace, transaction, step, phase, attempt): the same parts
     * give the same id on every engine instance and after every replay, so a span can be named (as a parent, in a
     * header) before it ends, and a span sent twice is the same span.
     */
    public static String derivedSpanId(String traceId, String... parts) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
        sha.update(traceId.getBytes(StandardCharsets.UTF_8));
        for (String part : parts) {
            sha.update((byte) 0);
            sha.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
        }
        byte[] digest = sha.digest();
        byte[] id = java.util.Arrays.copyOf(digest, 8);
        if (allZero(id)) {
            id[7] = 1;
        }
        return HEX.formatHex(id);
    }

    /** The same trace and flags, naming another span. */
    public TraceParent withSpanId(String newSpanId) {
        return new TraceParent(traceId, newSpanId, sampled);
    }

    /** The {@code traceparent} value, version 00. */
    public String header() {
        return "00-" + traceId + "-" + spanId + (sampled ? "-01" : "-00");
    }

    /** {@link #header()} as UTF-8, for a Kafka record header. */
    public byte[] headerBytes() {
        return header().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return header();
    }

    private static boolean isId(String s, int length) {
        if (s == null || s.length() != length || !isHex(s)) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (s.charAt(i) != '0') {
                return true;
            }
        }
        return false;
    }

    /** Lower-case hex only, as the spec requires. */
    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean allZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
