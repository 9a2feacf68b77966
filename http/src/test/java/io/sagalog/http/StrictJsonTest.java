package io.sagalog.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The one JSON reader of request bodies: what it refuses, with which status, naming where. */
class StrictJsonTest {

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("garbage after the document", utf8("{\"a\":1} {\"b\":2}"), 400, "more after the JSON document"),
                Arguments.of("garbage word after the document", utf8("{\"a\":1} xyz"), 400, "more after the JSON document"),
                Arguments.of("duplicate key", utf8("{\"input\":{\"a\":1,\"a\":2}}"), 400, "/input"),
                Arguments.of("nesting 1,000 deep", utf8("{\"input\":" + "[".repeat(1000) + "]".repeat(1000) + "}"), 400,
                        "at most 64"),
                Arguments.of("number of 5,000 digits", utf8("{\"input\":{\"n\":" + "9".repeat(5000) + "}}"), 400,
                        "at most 100"),
                Arguments.of("key of 200k characters", utf8("{\"" + "k".repeat(200_000) + "\":1}"), 400, "at most 256"),
                Arguments.of("1e999999999", utf8("{\"input\":{\"big\":1e999999999}}"), 422, "/input/big"),
                Arguments.of("invalid UTF-8", new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'},
                        400, "not valid UTF-8 at byte 6"),
                Arguments.of("UTF-8 encoded surrogate", new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xED, (byte) 0xA0,
                        (byte) 0x80, '"', '}'}, 400, "not valid UTF-8"),
                Arguments.of("lone surrogate escape", utf8("{\"input\":{\"a\":\"x\\ud800y\"}}"), 400, "/input/a"),
                Arguments.of("lone surrogate in a key", utf8("{\"input\":{\"\\udc00\":1}}"), 400, "/input/"),
                Arguments.of("empty body", new byte[0], 400, "empty"),
                Arguments.of("not JSON", utf8("definition=x"), 400, "line 1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void shouldRefuseWithAProblemThatSaysWhere(String what, byte[] body, int status, String detail) {
        StrictJson.Rejected rejected = catchThrowableOfType(StrictJson.Rejected.class, () -> StrictJson.parse(body));

        assertThat(rejected).as(what).isNotNull();
        assertThat(rejected.problem().status()).isEqualTo(status);
        assertThat(rejected.problem().detail()).contains(detail);
        assertThat(rejected.problem().detail().length()).as("the detail stays short").isLessThan(1000);
    }

    @Test
    void shouldKeepValidJsonAsSent() throws Exception {
        JsonNode node = StrictJson.parse(utf8("{\"input\":{\"emoji\":\"\\ud83d\\ude00 \u00e6\",\"n\":12345678901234567890,"
                + "\"f\":1.5}}"));

        assertThat(node.at("/input/emoji").asText()).isEqualTo("\uD83D\uDE00 \u00e6");
        assertThat(node.at("/input/n").bigIntegerValue().toString()).isEqualTo("12345678901234567890");
        assertThat(node.at("/input/f").asDouble()).isEqualTo(1.5);
    }

    @Test
    void shouldAcceptJsonInUtf8AndRefuseOtherMediaTypesAndCharsets() {
        assertThat(StrictJson.contentTypeProblem("application/json")).isNull();
        assertThat(StrictJson.contentTypeProblem("application/json; charset=utf-8")).isNull();
        assertThat(StrictJson.contentTypeProblem("Application/JSON;charset=\"UTF-8\"")).isNull();
        assertThat(StrictJson.contentTypeProblem("application/json; charset=iso-8859-1").status()).isEqualTo(415);
        assertThat(StrictJson.contentTypeProblem("application/json; charset=iso-8859-1").detail()).contains("charset=utf-8");
        assertThat(StrictJson.contentTypeProblem("text/plain").status()).isEqualTo(415);
        assertThat(StrictJson.contentTypeProblem(null).status()).isEqualTo(415);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
