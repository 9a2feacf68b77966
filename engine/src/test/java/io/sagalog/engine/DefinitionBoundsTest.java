package io.sagalog.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every value of a definition is bounded where it enters, so nothing registered can overflow a clock later. */
class DefinitionBoundsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "deadline Long.MAX ms        | \"deadline\": 9223372036854775807                  | deadline: 9223372036854775807 ms is too long; allowed: 1s to 720h",
            "deadline huge seconds       | \"deadline\": \"100000000000000000s\"             | deadline: '100000000000000000s' is too long",
            "deadline big seconds        | \"deadline\": \"10000000000000000s\"              | deadline: '10000000000000000s' is too long",
            "deadline 31 days            | \"deadline\": \"744h\"                            | deadline: '744h' is out of range; allowed: 1s to 720h",
            "deadline 10 ms              | \"deadline\": \"10ms\"                            | deadline: '10ms' is out of range; allowed: 1s to 720h",
            "deadline beyond a long      | \"deadline\": 99999999999999999999999             | deadline: 99999999999999999999999 ms is too long",
            "deadline ISO overflow       | \"deadline\": \"P999999999999D\"                  | deadline: 'P999999999999D' is too long",
            "deadline negative ISO       | \"deadline\": \"PT-10M\"                          | deadline: 'PT-10M' is negative",
            "deadline a number as text   | \"deadline\": true                                | deadline: must be a duration",
            "deadline many hours         | \"deadline\": \"9999999999999999h\"               | deadline: '9999999999999999h' is too long"})
    void shouldRefuseADeadlineOutOfRange(String what, String deadline, String problem) {
        InvalidDefinitionException e = catchThrowableOfType(InvalidDefinitionException.class,
                () -> DefinitionParser.parse("{\"name\": \"d\", " + deadline + ", \"steps\": [" + STEP + "]}", 1));

        assertThat(e).as(what).isNotNull();
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith(problem));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "step timeout of 9999999999999999h | \"timeout\": \"9999999999999999h\"                 | steps[0] (s).timeout: '9999999999999999h' is too long",
            "step timeout over 24h             | \"timeout\": \"25h\"                               | steps[0] (s).timeout: '25h' is out of range; allowed: 1ms to 24h",
            "step timeout 0                    | \"timeout\": 0                                     | steps[0] (s).timeout: 0 ms is out of range",
            "maxAttempts 1.5                   | \"retry\": {\"maxAttempts\": 1.5}                  | steps[0] (s).retry.maxAttempts: must be a whole number from 1 to 100",
            "maxAttempts 101                   | \"retry\": {\"maxAttempts\": 101}                  | steps[0] (s).retry.maxAttempts: must be a whole number from 1 to 100",
            "backoff over 1h                   | \"retry\": {\"maxBackoff\": \"2h\"}                | steps[0] (s).retry.maxBackoff: '2h' is out of range; allowed: 1ms to 1h",
            "multiplier 1e999                  | \"retry\": {\"multiplier\": 1000}                  | steps[0] (s).retry.multiplier: must be a number from 1 to 10"})
    void shouldRefuseAStepValueOutOfRange(String what, String field, String problem) {
        InvalidDefinitionException e = catchThrowableOfType(InvalidDefinitionException.class, () -> DefinitionParser.parse(
                "{\"name\": \"d\", \"steps\": [{\"name\": \"s\", \"participant\": \"p\", \"action\": \"a\", \"kind\": \"pivot\", "
                        + field + "}]}", 1));

        assertThat(e).as(what).isNotNull();
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith(problem));
    }

    @Test
    void shouldRefuseMoreThan64StepsAndMoreThan32Participants() {
        InvalidDefinitionException tooManySteps = catchThrowableOfType(InvalidDefinitionException.class,
                () -> DefinitionParser.parse(definitionWith(65, 1), 1));
        InvalidDefinitionException tooManyParticipants = catchThrowableOfType(InvalidDefinitionException.class,
                () -> DefinitionParser.parse(definitionWith(33, 33), 1));

        assertThat(tooManySteps.problems()).containsExactly("steps: 65 steps; a definition has at most 64");
        assertThat(tooManyParticipants.problems()).singleElement().asString().startsWith("steps: the steps name 33 participants");
    }

    @Test
    void shouldAcceptTheEdgesOfEachRange() throws Exception {
        Definition d = DefinitionParser.parse("{\"name\": \"d\", \"deadline\": \"720h\", \"steps\": [{\"name\": \"s\", "
                + "\"participant\": \"p\", \"action\": \"a\", \"kind\": \"pivot\", \"timeout\": \"24h\", \"retry\": "
                + "{\"maxAttempts\": 100, \"initialBackoff\": 1, \"maxBackoff\": \"1h\", \"multiplier\": 10}}]}", 1);
        DefinitionParser.parse(definitionWith(64, 32), 1);

        assertThat(d.deadline()).isEqualTo(Duration.ofDays(30));
        assertThat(d.step(0).timeout()).isEqualTo(Duration.ofHours(24));
        assertThat(d.step(0).retry().initialBackoff()).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void shouldNeverOverflowWhileParsingADuration() {
        for (String text : new String[] {"9999999999999999h", "99999999999999999999999h", "100000000000000000s",
                "P999999999999D", "PT9999999999999999H", "PT-10M", "-5m"}) {
            assertThatThrownBy(() -> Durations.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + text + "'");
        }
        assertThat(Durations.parse("36500d".replace("d", "h"))).isEqualTo(Duration.ofHours(36_500));
    }

    private static final String STEP = "{\"name\": \"s\", \"participant\": \"p\", \"action\": \"a\", \"kind\": \"pivot\"}";

    private static String definitionWith(int steps, int participants) {
        return "{\"name\": \"d\", \"steps\": [" + IntStream.range(0, steps).mapToObj(i -> "{\"name\": \"s" + i
                + "\", \"participant\": \"p" + (i % participants) + "\", \"action\": \"a\", \"kind\": \"retriable\"}")
                .collect(Collectors.joining(",")) + "]}";
    }
}
