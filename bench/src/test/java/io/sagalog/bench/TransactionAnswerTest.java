package io.sagalog.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TransactionAnswerTest {
    /** The shape of GET /v1/transactions/{id}: the top-level status comes before the steps' own. */
    private static String settled(String status, String stepStatus) {
        return "{\"txId\":\"7d3c\",\"definition\":\"bench-s3\",\"definitionVersion\":1,\"status\":\"" + status
                + "\",\"input\":{\"seq\":1,\"fail\":false,\"payload\":\"xx\"},\"context\":{},\"steps\":[{\"name\":"
                + "\"step1\",\"status\":\"" + stepStatus + "\",\"attempt\":1}],\"history\":[]}";
    }

    @Test
    void readsTheTopLevelStatus() {
        assertThat(TransactionAnswer.status(settled("ROLLED_BACK", "COMPENSATED"))).isEqualTo("ROLLED_BACK");
        assertThat(TransactionAnswer.status("{\"txId\":\"a\", \"status\" : \"PENDING\"}")).isEqualTo("PENDING");
        assertThat(TransactionAnswer.status("<html>")).isNull();
        assertThat(TransactionAnswer.status(null)).isNull();
    }

    @Test
    void theExpectedFinalStatusPasses() {
        assertThat(TransactionAnswer.check(200, settled("COMPLETED", "SUCCEEDED"), "COMPLETED")).isEqualTo("COMPLETED");
        assertThat(TransactionAnswer.check(200, settled("ROLLED_BACK", "COMPENSATED"), "ROLLED_BACK"))
                .isEqualTo("ROLLED_BACK");
    }

    @Test
    void anythingElseIsAFailureWithAMessageThatGroupsAlikeOnes() {
        assertThatThrownBy(() -> TransactionAnswer.check(202, settled("RUNNING", "RUNNING"), "COMPLETED"))
                .hasMessage("HTTP 202: not settled when the wait ran out (status RUNNING)");
        assertThatThrownBy(() -> TransactionAnswer.check(200, settled("COMPLETED", "SUCCEEDED"), "ROLLED_BACK"))
                .hasMessage("settled as COMPLETED, expected ROLLED_BACK");
        assertThatThrownBy(() -> TransactionAnswer.check(200, settled("RUNNING", "RUNNING"), "COMPLETED"))
                .hasMessage("HTTP 200 with a status that is not final: RUNNING");
        assertThatThrownBy(() -> TransactionAnswer.check(200, settled("PARKED", "FAILED"), "COMPLETED"))
                .hasMessage("settled as PARKED, expected COMPLETED");
        assertThatThrownBy(() -> TransactionAnswer.check(503, "{\"title\":\"Service unavailable\",\n \"detail\":\"x\"}",
                "COMPLETED")).hasMessage("HTTP 503: {\"title\":\"Service unavailable\", \"detail\":\"x\"}");
        assertThatThrownBy(() -> TransactionAnswer.check(500, "", "COMPLETED")).hasMessage("HTTP 500: (no body)");
        assertThatThrownBy(() -> TransactionAnswer.check(400, "y".repeat(500), "COMPLETED"))
                .hasMessage("HTTP 400: " + "y".repeat(120) + "...");
        assertThatThrownBy(() -> TransactionAnswer.check(200, "{}", "COMPLETED"))
                .hasMessage("HTTP 200 without a status: {}");
    }
}
