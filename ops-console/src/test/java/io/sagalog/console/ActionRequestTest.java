package io.sagalog.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.engine.OperatorAction;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ActionRequestTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ActionRequest of(String json) throws Exception {
        return ActionRequest.of(JSON.readTree(json));
    }

    private static void refused(String json, String message) {
        assertThatThrownBy(() -> of(json)).as(json).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void shouldReadEveryFieldOfAnAction() throws Exception {
        ActionRequest r = of("""
                {"action": "skip", "step": "book-hotel", "output": {"room": 12}, "reason": "  booked by phone  ",
                 "force": true, "expectedSeq": 7, "actionId": "a-1"}""");

        assertThat(r).isEqualTo(new ActionRequest("a-1", OperatorAction.SKIP, "book-hotel", "{\"room\":12}",
                "booked by phone", true, 7L));
    }

    @Test
    void shouldGiveAnActionWithoutAnIdAFreshUuidSoEachSubmitIsItsOwnAction() throws Exception {
        ActionRequest first = of("{\"action\": \"retry\", \"reason\": \"participant is back\"}");
        ActionRequest second = of("{\"action\": \"retry\", \"reason\": \"participant is back\"}");

        assertThat(UUID.fromString(first.actionId())).isNotNull();
        assertThat(first.actionId()).isNotEqualTo(second.actionId());
        assertThat(first.force()).isFalse();
        assertThat(first.expectedSeq()).isNull();
        assertThat(first.step()).isNull();
    }

    @Test
    void shouldRequireAKnownAction() {
        refused("{\"reason\": \"x\"}", "'action' is required: one of retry, skip, rollback, resume, resolve");
        refused("{\"action\": 3, \"reason\": \"x\"}", "'action' is required");
        refused("{\"action\": \"undo\", \"reason\": \"x\"}", "'action' must be one of retry, skip, rollback, resume, resolve");
    }

    @Test
    void shouldRequireAReasonInWordsOfAtMost4096Characters() throws Exception {
        refused("{\"action\": \"resolve\"}", "'reason' is required");
        refused("{\"action\": \"resolve\", \"reason\": \"   \"}", "'reason' is required");
        refused("{\"action\": \"resolve\", \"reason\": 42}", "'reason' is required");
        refused("{\"action\": \"resolve\", \"reason\": \"" + "r".repeat(4097) + "\"}", "'reason' has 4097 characters");

        assertThat(of("{\"action\": \"resolve\", \"reason\": \"" + "r".repeat(4096) + "\"}").reason()).hasSize(4096);
    }

    @Test
    void shouldTakeAnOutputOnlyForSkipAndOnlyUpTo256KiB() throws Exception {
        refused("{\"action\": \"retry\", \"reason\": \"x\", \"output\": {}}", "'output' is only for skip");
        String big = "\"" + "o".repeat(256 * 1024) + "\"";
        refused("{\"action\": \"skip\", \"reason\": \"x\", \"output\": " + big + "}", "'output' is larger than 262144 bytes");

        assertThat(of("{\"action\": \"retry\", \"reason\": \"x\", \"output\": null}").output()).isNull();
    }

    @Test
    void shouldRefuseWrongTypesForStepExpectedSeqForceAndActionId() {
        refused("{\"action\": \"retry\", \"reason\": \"x\", \"step\": 1}", "'step' must be a step name");
        refused("{\"action\": \"retry\", \"reason\": \"x\", \"step\": \"" + "s".repeat(101) + "\"}", "'step' must be a step name");
        refused("{\"action\": \"retry\", \"reason\": \"x\", \"expectedSeq\": -1}", "'expectedSeq' must be a whole number of 0 or more");
        refused("{\"action\": \"retry\", \"reason\": \"x\", \"expectedSeq\": 1.5}", "'expectedSeq' must be a whole number");
        refused("{\"action\": \"retry\", \"reason\": \"x\", \"expectedSeq\": \"3\"}", "'expectedSeq' must be a whole number");
        refused("{\"action\": \"retry\", \"reason\": \"x\", \"force\": \"yes\"}", "'force' must be true or false");
        refused("{\"action\": \"retry\", \"reason\": \"x\", \"actionId\": \"\"}", "'actionId' must be text of 1 to 100 characters");
        refused("{\"action\": \"retry\", \"reason\": \"x\", \"actionId\": 5}", "'actionId' must be text of 1 to 100 characters");
    }

    @Test
    void shouldAcceptZeroAsTheSeqOfATransactionThatHasOneEvent() throws Exception {
        assertThat(of("{\"action\": \"retry\", \"reason\": \"x\", \"expectedSeq\": 0}").expectedSeq()).isZero();
    }
}

