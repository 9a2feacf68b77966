package io.sagalog.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.engine.OperatorAction;
import io.sagalog.engine.TxStatus;
import org.junit.jupiter.api.Test;

/** The guards of a bulk action: it must say which transactions, and never touch every one by accident. */
class BulkActionsRequestTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static BulkActions.Request parse(String json) throws Exception {
        return BulkActions.Request.parse(JSON.readTree(json));
    }

    private static void refused(String json, String message) {
        assertThatThrownBy(() -> parse(json)).as(json).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void shouldReadTheQueryAndTheActionToApply() throws Exception {
        BulkActions.Request r = parse("""
                {"query": {"status": "parked", "definition": "trip-booking", "reason": "circuit open"},
                 "action": "retry", "reason": "hotels are back", "step": "book-hotel"}""");

        assertThat(r).isEqualTo(new BulkActions.Request(TxStatus.PARKED, "trip-booking", "circuit open",
                OperatorAction.RETRY, "book-hotel", "hotels are back", false));
    }

    @Test
    void shouldRequireAQuery() {
        refused("{\"action\": \"retry\", \"reason\": \"x\"}", "'query' is required");
        refused("{\"query\": \"PARKED\", \"action\": \"retry\", \"reason\": \"x\"}", "'query' is required");
    }

    @Test
    void shouldRefuseAQueryThatNamesNeitherStatusNorDefinitionSoNothingIsTouchedByAccident() throws Exception {
        refused("{\"query\": {}, \"action\": \"resolve\", \"reason\": \"x\"}", "'query' must name a status or a definition");
        refused("{\"query\": {\"reason\": \"timeout\"}, \"action\": \"resolve\", \"reason\": \"x\"}",
                "'query' must name a status or a definition");

        assertThat(parse("{\"query\": {\"definition\": \"d\"}, \"action\": \"resolve\", \"reason\": \"x\"}").status())
                .as("a definition alone is enough").isNull();
    }

    @Test
    void shouldRefuseExpectedSeqWhichOnlyMeansSomethingForOneTransaction() {
        refused("{\"query\": {\"status\": \"PARKED\"}, \"action\": \"retry\", \"reason\": \"x\", \"expectedSeq\": 3}",
                "'expectedSeq' is for an action on one transaction");
    }

    @Test
    void shouldRefuseAnUnknownStatusABadDefinitionNameOrAnEmptyReasonText() {
        refused("{\"query\": {\"status\": \"STUCK\"}, \"action\": \"retry\", \"reason\": \"x\"}", "'query.status' must be one of");
        refused("{\"query\": {\"status\": 1}, \"action\": \"retry\", \"reason\": \"x\"}", "'query.status' must be one of");
        refused("{\"query\": {\"definition\": \"../etc\"}, \"action\": \"retry\", \"reason\": \"x\"}",
                "'query.definition' must be a definition name");
        refused("{\"query\": {\"status\": \"PARKED\", \"reason\": \" \"}, \"action\": \"retry\", \"reason\": \"x\"}",
                "'query.reason' must be text of 1 to 1000 characters");
    }

    @Test
    void shouldCheckTheActionLikeAnActionOnOneTransaction() {
        refused("{\"query\": {\"status\": \"PARKED\"}, \"action\": \"retry\"}", "'reason' is required");
        refused("{\"query\": {\"status\": \"PARKED\"}, \"action\": \"undo\", \"reason\": \"x\"}", "'action' must be one of");
    }
}
