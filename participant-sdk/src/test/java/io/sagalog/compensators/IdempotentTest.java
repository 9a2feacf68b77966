package io.sagalog.compensators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IdempotentTest {
    private final OutcomeStore store = OutcomeStore.inMemory();
    private final AtomicInteger effects = new AtomicInteger();

    @Test
    void shouldRunTheActionOncePerIdempotencyKeyAndReplayItsOutput() throws Exception {
        ActionHandler reserve = Idempotent.action(store, call -> Map.of("room", effects.incrementAndGet()));

        Object first = reserve.handle(call("tx:hotels:action", 1));
        Object retry = reserve.handle(call("tx:hotels:action", 2));
        reserve.handle(call("other:hotels:action", 1));

        assertThat(effects).hasValue(2);
        JsonNode firstTree = new ObjectMapper().valueToTree(first);
        assertThat(firstTree).isEqualTo(retry);
        assertThat(((JsonNode) retry).path("room").asInt()).isEqualTo(1);
    }

    @Test
    void shouldRepeatARejectionButRetryATransientFailure() throws Exception {
        ActionHandler rejecting = Idempotent.action(store, call -> {
            effects.incrementAndGet();
            throw PermanentFailure.because("sold out");
        });
        assertThatThrownBy(() -> rejecting.handle(call("k1", 1))).hasMessage("sold out");
        assertThatThrownBy(() -> rejecting.handle(call("k1", 2))).isInstanceOf(PermanentFailure.class).hasMessage("sold out");
        assertThat(effects).hasValue(1);

        ActionHandler flaky = Idempotent.action(store, call -> {
            if (effects.incrementAndGet() < 4) {
                throw new IllegalStateException("database down");
            }
            return "ok";
        });
        assertThatThrownBy(() -> flaky.handle(call("k2", 1))).hasMessage("database down");
        assertThatThrownBy(() -> flaky.handle(call("k2", 2))).hasMessage("database down");
        assertThat(flaky.handle(call("k2", 3))).isEqualTo("ok");
    }

    @Test
    void shouldCompensateOncePerKey() throws Exception {
        CompensationHandler cancel = Idempotent.compensation(store, call -> effects.incrementAndGet());

        cancel.compensate(call("tx:hotels:compensation", 1));
        cancel.compensate(call("tx:hotels:compensation", 2));

        assertThat(effects).hasValue(1);
    }

    private static StepCall call(String key, int attempt) {
        ObjectMapper json = new ObjectMapper();
        return new StepCall("tx", "trip-booking", "hotels", "reserve", attempt, key, json.createObjectNode(),
                json.createObjectNode(), Instant.EPOCH);
    }
}
