package io.sagalog.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.engine.DefinitionParser;
import io.sagalog.engine.HistoryEntry;
import io.sagalog.engine.StepState;
import io.sagalog.engine.StepStatus;
import io.sagalog.engine.TransactionPage;
import io.sagalog.engine.TransactionView;
import io.sagalog.engine.TxState;
import io.sagalog.engine.TxStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransactionJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant CREATED = Instant.parse("2026-12-03T10:00:00Z");
    private static final Instant UPDATED = Instant.parse("2026-12-03T10:00:05Z");
    private static final String TX = "0193a5b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b";

    /** A trip whose flight is booked, whose hotel failed twice, and which an operator must now look at. */
    static TransactionView parkedTrip(boolean definitionKnown) throws Exception {
        TxState state = new TxState(TX, "trip-booking", 2, TxStatus.PARKED, "{\"city\":\"Oslo\"}",
                List.of(new StepState("flight", StepStatus.SUCCEEDED, 1, 0, "{\"seat\":\"12A\"}", null, false),
                        new StepState("hotel", StepStatus.FAILED, 2, 1, null, "HTTP 503 from hotels", false)),
                List.of("flight"), 6, CREATED, UPDATED, "retries exhausted at hotel", null, List.of(), List.of());
        List<HistoryEntry> history = List.of(
                new HistoryEntry(0, CREATED, "TxStarted", TxStatus.RUNNING, null, null, null, null),
                new HistoryEntry(5, UPDATED, "TxParked", TxStatus.PARKED, "hotel", 2, "retries exhausted at hotel",
                        "{\"rule\":\"retries-exhausted\"}"));
        return new TransactionView(state, history, definitionKnown ? DefinitionParser.parse("""
                {"name": "trip-booking", "steps": [
                  {"name": "flight", "participant": "flights", "action": "reserve", "compensation": "cancel"},
                  {"name": "hotel", "participant": "hotels", "action": "book", "kind": "pivot"}]}""", 2) : null,
                List.of("flight"));
    }

    @Test
    void shouldShowTheTransactionItsStepsPlansAndHistory() throws Exception {
        JsonNode tx = JSON.readTree(TransactionJson.render(parkedTrip(true)));

        assertThat(tx.get("txId").asText()).isEqualTo(TX);
        assertThat(tx.get("definition").asText()).isEqualTo("trip-booking");
        assertThat(tx.get("definitionVersion").asInt()).isEqualTo(2);
        assertThat(tx.get("status").asText()).isEqualTo("PARKED");
        assertThat(tx.get("reason").asText()).isEqualTo("retries exhausted at hotel");
        assertThat(tx.get("input")).isEqualTo(JSON.readTree("{\"city\":\"Oslo\"}"));
        assertThat(tx.get("compensationPlan")).isEqualTo(JSON.readTree("[\"flight\"]"));
        assertThat(tx.get("rollbackPlan")).isEqualTo(JSON.readTree("[\"flight\"]"));
        assertThat(tx.get("createdAt").asText()).isEqualTo("2026-12-03T10:00:00Z");
        assertThat(tx.get("updatedAt").asText()).isEqualTo("2026-12-03T10:00:05Z");
        assertThat(tx.get("links").get("self").asText()).isEqualTo("/v1/transactions/" + TX);

        JsonNode flight = tx.get("steps").get(0);
        assertThat(flight.get("name").asText()).isEqualTo("flight");
        assertThat(flight.get("kind").asText()).isEqualTo("compensatable");
        assertThat(flight.get("participant").asText()).isEqualTo("flights");
        assertThat(flight.get("output")).isEqualTo(JSON.readTree("{\"seat\":\"12A\"}"));
        assertThat(flight.has("compensationAttempt")).as("never compensated").isFalse();
        JsonNode hotel = tx.get("steps").get(1);
        assertThat(hotel.get("kind").asText()).isEqualTo("pivot");
        assertThat(hotel.get("attempt").asInt()).isEqualTo(2);
        assertThat(hotel.get("compensationAttempt").asInt()).isEqualTo(1);
        assertThat(hotel.get("error").asText()).isEqualTo("HTTP 503 from hotels");

        JsonNode parked = tx.get("history").get(1);
        assertThat(parked.get("seq").asLong()).isEqualTo(5);
        assertThat(parked.get("type").asText()).isEqualTo("TxParked");
        assertThat(parked.get("step").asText()).isEqualTo("hotel");
        assertThat(parked.get("attempt").asInt()).isEqualTo(2);
        assertThat(parked.get("detail")).as("detail is JSON, not a string").isEqualTo(JSON.readTree("{\"rule\":\"retries-exhausted\"}"));
        assertThat(tx.get("history").get(0).has("step")).isFalse();
    }

    @Test
    void shouldBuildTheContextFromTheOutputsOfSucceededStepsOnly() throws Exception {
        JsonNode tx = JSON.readTree(TransactionJson.render(parkedTrip(true)));

        assertThat(tx.get("context")).isEqualTo(JSON.readTree("{\"flight\":{\"seat\":\"12A\"}}"));
    }

    @Test
    void shouldLeaveOutKindAndParticipantWhenThisInstanceDoesNotKnowTheDefinition() throws Exception {
        JsonNode step = JSON.readTree(TransactionJson.render(parkedTrip(false))).get("steps").get(0);

        assertThat(step.has("kind")).isFalse();
        assertThat(step.has("participant")).isFalse();
        assertThat(step.get("status").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    void shouldShowStoredTextThatIsNotJsonAsAStringRatherThanLoseIt() throws Exception {
        TransactionView view = parkedTrip(true);
        TxState broken = new TxState(TX, "trip-booking", 2, TxStatus.RUNNING, "not json {", view.state().steps(),
                List.of(), 1, CREATED, UPDATED, null, null, List.of(), List.of());

        JsonNode tx = JSON.readTree(TransactionJson.render(new TransactionView(broken, List.of(), null, List.of())));

        assertThat(tx.get("input").isTextual()).isTrue();
        assertThat(tx.get("input").asText()).isEqualTo("not json {");
        assertThat(tx.has("reason")).isFalse();
    }

    @Test
    void shouldShowAListItemWithTheCursorItSitsAt() {
        JsonNode item = TransactionJson.summary(new TransactionPage.Summary(TX, "trip-booking", 2, TxStatus.PARKED,
                null, CREATED, UPDATED, "7ffffe6b2c1d0e9f|" + TX));

        assertThat(item.get("txId").asText()).isEqualTo(TX);
        assertThat(item.get("status").asText()).isEqualTo("PARKED");
        assertThat(item.get("cursor").asText()).isEqualTo("7ffffe6b2c1d0e9f|" + TX);
        assertThat(item.has("reason")).isFalse();
        assertThat(item.get("createdAt").asText()).isEqualTo("2026-12-03T10:00:00Z");
    }
}
