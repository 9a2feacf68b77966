package io.sagalog.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DefinitionParserTest {

    @Test
    void shouldReadAFullDefinition() throws Exception {
        Definition d = DefinitionParser.parse("""
                {"name": "trip-booking", "deadline": "5m", "steps": [
                  {"name": "flights", "participant": "flights", "action": "reserve", "compensation": "cancel",
                   "timeout": "10s", "retry": {"maxAttempts": 5, "initialBackoff": "100ms", "multiplier": 3,
                   "maxBackoff": "2s", "jitter": 0.5}},
                  {"name": "payments", "participant": "payments", "action": "charge", "kind": "pivot"},
                  {"name": "email", "participant": "mailer", "action": "send", "kind": "retriable"}
                ]}""", 4);

        assertThat(d.version()).isEqualTo(4);
        assertThat(d.deadline()).isEqualTo(Duration.ofMinutes(5));
        assertThat(d.step(0).timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.step(0).retry()).isEqualTo(new RetryPolicy(5, Duration.ofMillis(100), 3, Duration.ofSeconds(2), 0.5));
        assertThat(d.step(1).kind()).isEqualTo(StepKind.PIVOT);
        assertThat(d.step(1).hasCompensation()).isFalse();
        assertThat(d.step(2).retry()).isEqualTo(RetryPolicy.DEFAULT);
    }

    @Test
    void shouldListEveryProblemNotJustTheFirst() {
        InvalidDefinitionException e = catchThrowableOfType(InvalidDefinitionException.class, () -> DefinitionParser.parse("""
                {"steps": [
                  {"name": "a", "participant": "p", "action": "do"},
                  {"name": "b", "participant": "p bad", "action": "do", "kind": "sometimes", "compensation": "undo", "timeout": "soon"},
                  {"name": "a", "participant": "p", "action": "do", "compensation": "undo"}
                ]}""", 1));

        assertThat(e.problems()).containsExactly(
                "name: required",
                "steps[0] (a): a compensatable step needs a compensation (or declare it pivot or retriable)",
                "steps[1] (b).participant: 'p bad' must be 1-100 letters, digits, '.', '_' or '-'",
                "steps[1] (b).kind: 'sometimes' is not a step kind; use compensatable, pivot or retriable",
                "steps[1] (b).timeout: 'soon' is not a duration; write e.g. 250ms, 10s, 5m, 1h or PT10S; allowed: 1ms to 24h",
                "steps[2] (a): the step name is used twice");
    }

    @Test
    void shouldRefuseTwoPivotsAndCompensatableStepsAfterThePivot() {
        InvalidDefinitionException e = catchThrowableOfType(InvalidDefinitionException.class, () -> DefinitionParser.parse("""
                {"name": "x", "steps": [
                  {"name": "r", "participant": "p", "action": "do", "kind": "retriable"},
                  {"name": "p1", "participant": "p", "action": "do", "kind": "pivot"},
                  {"name": "p2", "participant": "p", "action": "do", "kind": "pivot"},
                  {"name": "c", "participant": "p", "action": "do", "compensation": "undo"}
                ]}""", 1));

        assertThat(e.problems()).containsExactly(
                "steps[2] (p2): a second pivot; a definition has at most one (the first is p1)",
                "steps[0] (r): a retriable step before the pivot p1; retriable steps come after it",
                "steps[3] (c): a compensatable step after the pivot p1 could never be compensated; make it retriable");
    }

    @Test
    void shouldAllowRetriableStepsOnlyAtTheEndWithoutAPivot() {
        InvalidDefinitionException e = catchThrowableOfType(InvalidDefinitionException.class, () -> DefinitionParser.parse("""
                {"name": "x", "steps": [
                  {"name": "r", "participant": "p", "action": "do", "kind": "retriable"},
                  {"name": "c", "participant": "p", "action": "do", "compensation": "undo"}
                ]}""", 1));

        assertThat(e.problems()).containsExactly(
                "steps[1] (c): a compensatable step after a retriable one; without a pivot, retriable steps come last");
    }

    @Test
    void shouldSayWhenTheTextIsNotJson() {
        InvalidDefinitionException e = catchThrowableOfType(InvalidDefinitionException.class,
                () -> DefinitionParser.parse("{\"name\": ", 1));

        assertThat(e.problems()).singleElement().asString().startsWith("not valid JSON");
    }
}
