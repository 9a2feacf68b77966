package io.sagalog.engine;

import static io.sagalog.engine.Outcome.FAILED_PERMANENT;
import static io.sagalog.engine.Outcome.FAILED_TRANSIENT;
import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.JournalEvent.Direction;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * One row per rule of the recovery table (DESIGN section 4), each driven through the decider with a clock the
 * test controls. A rule without a row here fails {@link #shouldCoverEveryRuleOfTheRecoveryTable()}.
 */
class RecoveryRulesTest {

    /** A row: the definition, what happens, and the rule, direction and status that must follow. */
    record Row(String rule, Definition definition, UnaryOperator<Scenario> script, Direction direction,
               TxStatus status) {}

    private static final Definition TRIP = Scenario.tripBooking();

    private static final Definition WITH_PIVOT = Scenario.withPivot();

    /** One step with a long backoff and a short deadline. */
    private static final Definition SHORT_DEADLINE = Scenario.definition("""
            {"name": "trip-booking", "deadline": "2s", "steps": [
              {"name": "flights", "participant": "flights", "action": "reserve", "compensation": "cancel",
               "retry": {"maxAttempts": 5, "initialBackoff": "5s", "maxBackoff": "5s", "jitter": 0}}
            ]}""");

    static final List<Row> TABLE = List.of(
            new Row("transient-failure-retry", TRIP,
                    s -> s.request().fail("flights", FAILED_TRANSIENT), Direction.FORWARD, TxStatus.RUNNING),
            new Row("unknown-outcome-retry", TRIP,
                    s -> s.request().fire(Timer.Kind.STEP_TIMEOUT), Direction.FORWARD, TxStatus.RUNNING),
            new Row("permanent-failure-before-pivot", TRIP,
                    s -> s.request().succeed("flights").fail("hotels", FAILED_PERMANENT), Direction.ROLLBACK,
                    TxStatus.COMPENSATING),
            new Row("attempts-exhausted-before-pivot", TRIP,
                    s -> s.request().fail("flights", FAILED_TRANSIENT).fire(Timer.Kind.BACKOFF)
                            .fail("flights", FAILED_TRANSIENT).fire(Timer.Kind.BACKOFF)
                            .fail("flights", FAILED_TRANSIENT), Direction.ROLLBACK, TxStatus.ROLLED_BACK),
            new Row("deadline-would-pass-before-retry", SHORT_DEADLINE,
                    s -> s.request().fail("flights", FAILED_TRANSIENT), Direction.ROLLBACK, TxStatus.ROLLED_BACK),
            new Row("deadline-exceeded-before-pivot", TRIP,
                    s -> s.request().succeed("flights").fire(Timer.Kind.DEADLINE), Direction.ROLLBACK,
                    TxStatus.COMPENSATING),
            new Row("pivot-outcome-unknown", WITH_PIVOT,
                    s -> s.request().succeed("reserve").fire(Timer.Kind.STEP_TIMEOUT).fire(Timer.Kind.BACKOFF)
                            .fire(Timer.Kind.STEP_TIMEOUT), Direction.PARK, TxStatus.PARKED),
            new Row("retriable-step-retry", WITH_PIVOT,
                    s -> s.request().succeed("reserve").succeed("charge").fail("notify", FAILED_PERMANENT),
                    Direction.FORWARD, TxStatus.RUNNING),
            new Row("retriable-step-exhausted", WITH_PIVOT,
                    s -> s.request().succeed("reserve").succeed("charge").fail("notify", FAILED_TRANSIENT)
                            .fire(Timer.Kind.BACKOFF).fail("notify", FAILED_TRANSIENT), Direction.PARK, TxStatus.PARKED),
            new Row("deadline-passed-after-pivot", WITH_PIVOT,
                    s -> s.request().succeed("reserve").succeed("charge").fire(Timer.Kind.DEADLINE),
                    Direction.FORWARD, TxStatus.RUNNING),
            new Row("compensation-retry", TRIP,
                    s -> s.request().succeed("flights").fail("hotels", FAILED_PERMANENT).compensationFails("flights"),
                    Direction.ROLLBACK, TxStatus.COMPENSATING),
            new Row("compensation-exhausted", TRIP,
                    s -> s.request().succeed("flights").fail("hotels", FAILED_PERMANENT)
                            .compensationRejected("flights").fire(Timer.Kind.BACKOFF)
                            .compensationRejected("flights").fire(Timer.Kind.BACKOFF)
                            .compensationRejected("flights"), Direction.PARK, TxStatus.PARKED),
            new Row("late-effect-after-rollback", WITH_PIVOT,
                    s -> s.request().succeed("reserve").fail("charge", FAILED_TRANSIENT).fire(Timer.Kind.BACKOFF)
                            .fail("charge", FAILED_TRANSIENT).result("charge", 1, Phase.ACTION, Outcome.SUCCEEDED),
                    Direction.PARK, TxStatus.PARKED),
            new Row("engine-error", TRIP,
                    s -> s.request().engineError(new Input.StepResult(Scenario.TX, "flights", 1, Phase.ACTION,
                            Outcome.SUCCEEDED, "{}", null), new ArithmeticException("long overflow")),
                    Direction.PARK, TxStatus.PARKED),
            new Row("step-request-too-large", TRIP,
                    s -> s.request().maxStepRequestBytes(32).succeed("flights"), Direction.PARK, TxStatus.PARKED),
            new Row("operator-rollback", TRIP,
                    s -> s.request().succeed("flights").apply(new Input.OperatorCommand(Scenario.TX, "a1",
                            OperatorAction.ROLLBACK, null, null, "customer cancelled", "token:abc123", false)),
                    Direction.ROLLBACK, TxStatus.COMPENSATING));

    @TestFactory
    List<DynamicTest> shouldApplyEachRuleOfTheRecoveryTable() {
        return TABLE.stream().map(row -> DynamicTest.dynamicTest(row.rule(), () -> {
            Scenario s = row.script().apply(new Scenario(row.definition()));

            JournalEvent.RecoveryDecided decided = s.journal.stream().map(JournalEntry::event)
                    .filter(JournalEvent.RecoveryDecided.class::isInstance).map(JournalEvent.RecoveryDecided.class::cast)
                    .reduce((first, second) -> second).orElseThrow(() -> new AssertionError("no RecoveryDecided"));
            assertThat(decided.rule()).isEqualTo(row.rule());
            assertThat(decided.direction()).isEqualTo(row.direction());
            assertThat(decided.reason()).isNotBlank();
            assertThat(decided.facts()).isNotEmpty();
            assertThat(s.state.status()).isEqualTo(row.status());
        })).toList();
    }

    @Test
    void shouldCoverEveryRuleOfTheRecoveryTable() {
        Set<String> tested = TABLE.stream().map(Row::rule).collect(Collectors.toSet());
        Set<String> declared = java.util.Arrays.stream(Rule.values()).map(Rule::id).collect(Collectors.toSet());

        assertThat(tested).as("rules with a row in this test").isEqualTo(declared);
        for (Row row : TABLE) {
            Rule rule = java.util.Arrays.stream(Rule.values()).filter(r -> r.id().equals(row.rule())).findFirst()
                    .orElseThrow();
            assertThat(row.direction()).as(rule.id()).isEqualTo(rule.direction());
        }
    }

    /** The decision table of docs/recovery.md lists exactly the rules of {@link Rule}, with their directions. */
    @Test
    void shouldDocumentEveryRuleWithItsDirection() throws Exception {
        java.nio.file.Path doc = java.nio.file.Path.of("..", "docs", "recovery.md");
        java.util.Map<String, String> documented = new java.util.LinkedHashMap<>();
        java.util.regex.Pattern row = java.util.regex.Pattern.compile("^\\| `([a-z-]+)` \\| ([A-Z]+) \\|.*");
        for (String line : java.nio.file.Files.readAllLines(doc)) {
            java.util.regex.Matcher m = row.matcher(line);
            if (m.matches()) {
                documented.put(m.group(1), m.group(2));
            }
        }
        java.util.Map<String, String> declared = new java.util.LinkedHashMap<>();
        for (Rule rule : Rule.values()) {
            declared.put(rule.id(), rule.direction().name());
        }

        assertThat(documented).as("the decision table of %s", doc).containsExactlyEntriesOf(declared);
    }
}
