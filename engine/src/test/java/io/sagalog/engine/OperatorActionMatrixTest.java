package io.sagalog.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every operator action in every status a transaction can stand in, with and without naming a step: the action is
 * refused (journaled, nothing else changes) or applied, and when applied the transaction afterwards keeps the
 * rules: a rollback compensates exactly what {@code rollbackPlan} showed before it, no timer of the other phase
 * survives, and driven to its end with participants that succeed, the transaction ends where it should, with every
 * succeeded step of a ROLLED_BACK transaction compensated.
 */
class OperatorActionMatrixTest {

    private static final Definition TRIP = Scenario.tripBooking();

    /** Named situations, each a fresh scenario. */
    private static final Map<String, Supplier<Scenario>> SITUATIONS = new java.util.LinkedHashMap<>();

    static {
        SITUATIONS.put("RUNNING, step outstanding", () -> new Scenario(TRIP).request().succeed("flights"));
        SITUATIONS.put("RUNNING, waiting to retry", () -> new Scenario(TRIP).request().succeed("flights")
                .fail("hotels", Outcome.FAILED_TRANSIENT));
        SITUATIONS.put("RUNNING, step in doubt", () -> new Scenario(TRIP).request().succeed("flights")
                .fail("hotels", Outcome.UNKNOWN));
        SITUATIONS.put("COMPENSATING", () -> new Scenario(TRIP).request().succeed("flights").succeed("hotels")
                .fail("payments", Outcome.FAILED_PERMANENT));
        SITUATIONS.put("PARKED on the way back", () -> new Scenario(TRIP).request().succeed("flights")
                .fail("hotels", Outcome.FAILED_PERMANENT).compensationFails("flights").fire(Timer.Kind.BACKOFF)
                .compensationFails("flights").fire(Timer.Kind.BACKOFF).compensationFails("flights"));
        SITUATIONS.put("PARKED on the way forward", () -> {
            Scenario s = new Scenario(TRIP).request().succeed("flights");
            return s.engineError(new Input.StepResult(Scenario.TX, "hotels", 1, Phase.ACTION, Outcome.SUCCEEDED, "{}",
                    null), new IllegalStateException("a bug"));
        });
        SITUATIONS.put("COMPLETED", () -> new Scenario(TRIP).request().succeed("flights").succeed("hotels")
                .succeed("payments"));
        SITUATIONS.put("ROLLED_BACK", () -> new Scenario(TRIP).request().fail("flights", Outcome.FAILED_PERMANENT));
        SITUATIONS.put("RESOLVED", () -> new Scenario(TRIP).request().apply(new Input.OperatorCommand(Scenario.TX, "r0",
                OperatorAction.RESOLVE, null, null, "done by hand", "token:abc123", false)));
    }

    @TestFactory
    List<DynamicTest> shouldRefuseOrApplyEveryActionInEveryStatusKeepingTheRules() {
        List<DynamicTest> tests = new ArrayList<>();
        for (var situation : SITUATIONS.entrySet()) {
            for (OperatorAction action : OperatorAction.values()) {
                for (String naming : List.of("no step", "the step it stands at", "another step")) {
                    tests.add(DynamicTest.dynamicTest(situation.getKey() + " x " + action.wireName() + " naming " + naming,
                            () -> check(situation.getValue().get(), action, naming)));
                }
            }
        }
        return tests;
    }

    private static void check(Scenario s, OperatorAction action, String naming) {
        TxState before = s.state;
        OperatorActions.StopPoint at = OperatorActions.stopPoint(before);
        String atName = at.index() < 0 ? null : before.step(at.index()).name();
        String step = switch (naming) {
            case "no step" -> null;
            case "the step it stands at" -> atName;
            default -> before.steps().stream().map(StepState::name).filter(n -> !n.equals(atName)).findFirst().orElseThrow();
        };
        List<String> shown = RollbackPlan.ifStartedNow(before, TRIP);
        Input.OperatorCommand command = new Input.OperatorCommand(Scenario.TX, "a-" + action, action, step,
                action == OperatorAction.SKIP ? "{\"by\":\"hand\"}" : null, "checked by hand", "token:abc123", true);
        boolean refusedUpFront = OperatorActions.refusal(before, TRIP, command).isPresent();

        s.apply(command);

        List<String> types = s.last.journal().stream().map(e -> e.event().type()).toList();
        if (refusedUpFront) {
            assertThat(types).as("a refused action is journaled and changes nothing else")
                    .containsExactly("OperatorActionRefused");
            assertThat(s.state.status()).isEqualTo(before.status());
            assertThat(s.state.steps()).isEqualTo(before.steps());
            assertThat(s.state.timers()).isEqualTo(before.timers());
            assertThat(s.last.commands()).isEmpty();
            return;
        }
        assertThat(types).as("an applied action is journaled").first().isEqualTo("OperatorActed");
        // resolve closes the whole transaction, whatever step it names; every other action applies where it stands.
        if (step != null && !step.equals(atName) && action != OperatorAction.RESOLVE) {
            throw new AssertionError("an action naming another step than " + atName + " was applied: " + types);
        }
        if (action == OperatorAction.ROLLBACK) {
            List<String> compensated = s.last.commands().stream().filter(c -> c.phase() == Phase.COMPENSATION)
                    .map(StepCommand::step).toList();
            assertThat(s.state.compensationPlan().isEmpty() ? compensated : s.state.compensationPlan())
                    .as("the rollback undoes what rollbackPlan showed").isEqualTo(shown.isEmpty() ? compensated : shown);
        }
        assertPhasesAgree(s.state);
        driveToTheEnd(s);
        assertThat(s.state.status()).isIn(TxStatus.COMPLETED, TxStatus.ROLLED_BACK, TxStatus.RESOLVED, TxStatus.PARKED);
        if (s.state.status() == TxStatus.ROLLED_BACK) {
            assertThat(s.state.steps()).as("every step that succeeded is compensated")
                    .noneMatch(st -> st.status() == StepStatus.SUCCEEDED);
        }
    }

    /** While rolling back only compensation timers are active; on the way forward only action timers (and the deadline). */
    private static void assertPhasesAgree(TxState state) {
        Phase expected = state.status() == TxStatus.COMPENSATING ? Phase.COMPENSATION : Phase.ACTION;
        assertThat(state.timers()).as("timers of %s", state.status())
                .allSatisfy(t -> assertThat(t.phase() == null || t.phase() == expected).isTrue());
    }

    /** Participants succeed and timers fire until the transaction stops moving. */
    private static void driveToTheEnd(Scenario s) {
        for (int i = 0; i < 50 && !s.state.status().isFinal() && s.state.status() != TxStatus.PARKED; i++) {
            StepCommand last = s.commands.isEmpty() ? null : s.commands.get(s.commands.size() - 1);
            boolean outstanding = last != null && s.state.timers().stream()
                    .anyMatch(t -> t.isTimeoutOf(last.step(), last.attempt(), last.phase()));
            if (outstanding) {
                s.result(last.step(), last.attempt(), last.phase(), Outcome.SUCCEEDED);
            } else if (!s.state.timers().isEmpty()) {
                s.fireNext();
            } else {
                break;
            }
            assertPhasesAgree(s.state);
        }
    }
}
