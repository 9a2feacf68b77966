package io.sagalog.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one JSON reader of every request body. It reads exactly one JSON document and refuses, with a problem that
 * names where and what is allowed, anything it would otherwise have to guess about:
 * <ul>
 *   <li>a {@code Content-Type} other than {@code application/json} (with no charset or {@code charset=utf-8}): 415;</li>
 *   <li>bytes that are not UTF-8, and lone surrogates (also as {@code \ud800} escapes): 400;</li>
 *   <li>garbage after the document, duplicate keys: 400;</li>
 *   <li>nesting deeper than {@value #MAX_DEPTH}, numbers longer than {@value #MAX_NUMBER_LENGTH} characters,
 *       strings longer than {@value #MAX_STRING_LENGTH} characters, keys longer than {@value #MAX_NAME_LENGTH}
 *       characters: 400;</li>
 *   <li>numbers too large for a 64-bit floating point number ({@code 1e999999999} would become Infinity): 422.</li>
 * </ul>
 */
public final class StrictJson {
    private static final Logger log = LoggerFactory.getLogger(StrictJson.class);
    public static final int MAX_DEPTH = 64;
    public static final int MAX_NUMBER_LENGTH = 100;
    public static final int MAX_STRING_LENGTH = 1024 * 1024;
    public static final int MAX_NAME_LENGTH = 256;
    private static final int POINTER_SHOWN = 120;

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH).maxStringLength(MAX_STRING_LENGTH).maxNameLength(MAX_NAME_LENGTH)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            // Trailing tokens are checked by parse() itself, after the document, so the answer can say so.
            .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private StrictJson() {}

    /** A body this reader refuses, with the problem to answer. */
    public static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Problem problem;

        Rejected(Problem problem) {
            super(problem.detail(), null, false, false);
            this.problem = problem;
        }

        public Problem problem() {
            return problem;
        }
    }

    /** Null when the {@code Content-Type} header announces JSON in UTF-8, else the 415 problem to answer. */
    public static Problem contentTypeProblem(String header) {
        if (header == null) {
            return Problem.unsupportedMediaType(null);
        }
        String[] parts = header.split(";");
        if (!parts[0].trim().equalsIgnoreCase("application/json")) {
            return Problem.unsupportedMediaType(header);
        }
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].split("=", 2);
            if (param[0].trim().equalsIgnoreCase("charset")) {
                String charset = param.length < 2 ? "" : param[1].trim();
                if (charset.length() >= 2 && charset.startsWith("\"") && charset.endsWith("\"")) {
                    charset = charset.substring(1, charset.length() - 1);
                }
                if (!charset.equalsIgnoreCase("utf-8")) {
                    return Problem.unsupportedCharset(header);
                }
            }
        }
        return null;
    }

    /** Reads one JSON document from UTF-8 bytes. */
    public static JsonNode parse(byte[] bytes) throws Rejected {
        String text = decodeUtf8(bytes);
        if (text.isBlank()) {
            throw new Rejected(Problem.malformedJson("the body is empty; send one JSON document"));
        }
        JsonNode node;
        boolean documentRead = false;
        try (JsonParser p = MAPPER.createParser(text)) {
            try {
                node = MAPPER.readTree(p);
                if (node == null || node.isMissingNode()) {
                    throw new Rejected(Problem.malformedJson("the body is empty; send one JSON document"));
                }
                documentRead = true;
                JsonToken after = p.nextToken();
                if (after != null) {
                    throw new Rejected(Problem.malformedJson("there is more after the JSON document (at "
                            + where(p) + "); send exactly one JSON document"));
                }
            } catch (StreamConstraintsException e) {
                throw new Rejected(Problem.jsonLimit(pointer(p), limitText(e.getOriginalMessage())));
            } catch (JsonProcessingException e) {
                String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
                if (documentRead || message.startsWith("Trailing token")) {
                    message = "there is more after the JSON document; send exactly one JSON document";
                } else if (message.startsWith("Duplicate field")) {
                    message = message + "; each key may appear once in an object";
                }
                throw new Rejected(Problem.malformedJson((documentRead ? "" : "at " + pointer(p) + " ") + "(" + where(p)
                        + "): " + clip(message)));
            }
        } catch (IOException e) {
            throw new Rejected(Problem.malformedJson("the body could not be read: " + clip(String.valueOf(e.getMessage()))));
        }
        check(node, "");
        return node;
    }

    /**
     * The request's body as JSON: checks the {@code Content-Type} and reads it; on a problem sends it and returns null.
     */
    public static JsonNode read(RoutingContext ctx) {
        Problem type = contentTypeProblem(ctx.request().getHeader("Content-Type"));
        if (type != null) {
            type.send(ctx);
            return null;
        }
        Buffer body = ctx.body().buffer();
        try {
            return parse(body == null ? new byte[0] : body.getBytes());
        } catch (Rejected e) {
            e.problem().send(ctx);
            return null;
        }
    }

    /** As {@link #read(RoutingContext)}, and the body must be a JSON object (else 422); on a problem sends it, returns null. */
    public static JsonNode readObject(RoutingContext ctx) {
        JsonNode node = read(ctx);
        if (node != null && !node.isObject()) {
            Problem.invalidRequest("the body must be a JSON object").send(ctx);
            return null;
        }
        return node;
    }

    /** Failures of a route's handlers (the body limit of BodyHandler, mainly) as problem+json. */
    public static Handler<RoutingContext> failures(long bodyLimit) {
        return ctx -> {
            int status = ctx.statusCode();
            if (status == 413) {
                Problem.bodyTooLarge(bodyLimit).send(ctx);
            } else if (status == 400) {
                Problem.malformedJson("the request could not be read"
                        + (ctx.failure() == null ? "" : ": " + clip(String.valueOf(ctx.failure().getMessage())))).send(ctx);
            } else if (status == 415) {
                Problem.unsupportedMediaType(ctx.request().getHeader("Content-Type")).send(ctx);
            } else {
                log.error("request {} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
                Problem.internal().send(ctx);
            }
        };
    }

    private static String decodeUtf8(byte[] bytes) throws Rejected {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new Rejected(Problem.malformedJson("the body is not valid UTF-8 at byte " + in.position()
                    + "; send JSON encoded as UTF-8 (lone surrogates are not allowed)"));
        }
        out.flip();
        return out.toString();
    }

    /** Refuses lone surrogates in keys and strings, and numbers a double cannot hold. */
    private static void check(JsonNode node, String at) throws Rejected {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String child = at + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
                if (loneSurrogate(e.getKey())) {
                    throw new Rejected(Problem.malformedJson("the key at " + clipPointer(child)
                            + " has a lone surrogate (an unpaired \\ud800-\\udfff); text must be valid Unicode"));
                }
                check(e.getValue(), child);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                check(node.get(i), at + "/" + i);
            }
        } else if (node.isTextual()) {
            if (loneSurrogate(node.textValue())) {
                throw new Rejected(Problem.malformedJson("the text at " + clipPointer(at)
                        + " has a lone surrogate (an unpaired \\ud800-\\udfff); text must be valid Unicode"));
            }
        } else if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            throw new Rejected(Problem.jsonValueOutOfRange(clipPointer(at.isEmpty() ? "/" : at),
                    "the number is too large; numbers must fit a 64-bit floating point number (at most about 1.7e308)"));
        }
    }

    private static boolean loneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static String pointer(JsonParser p) {
        try {
            String pointer = p.getParsingContext().pathAsPointer().toString();
            return clipPointer(pointer.isEmpty() ? "/" : pointer);
        } catch (RuntimeException e) {
            return "/";
        }
    }

    private static String where(JsonParser p) {
        var location = p.currentLocation();
        return location == null ? "an unknown position" : "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static String limitText(String message) {
        String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
        if (m.contains("nesting depth")) {
            return "nesting is deeper than " + MAX_DEPTH + " levels; at most " + MAX_DEPTH + " are allowed";
        } else if (m.contains("number value length")) {
            return "a number is longer than " + MAX_NUMBER_LENGTH + " characters; at most " + MAX_NUMBER_LENGTH
                    + " are allowed";
        } else if (m.contains("name length")) {
            return "a key is longer than " + MAX_NAME_LENGTH + " characters; at most " + MAX_NAME_LENGTH + " are allowed";
        } else if (m.contains("string value length")) {
            return "a string is longer than " + MAX_STRING_LENGTH + " characters; at most " + MAX_STRING_LENGTH
                    + " are allowed";
        }
        return clip(message);
    }

    private static String clipPointer(String pointer) {
        return pointer.length() <= POINTER_SHOWN ? pointer : pointer.substring(0, POINTER_SHOWN) + "...";
    }

    private static String clip(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }
}
