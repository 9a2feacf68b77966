package io.sagalog.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sagalog.engine.TxStatus;
import io.vertx.core.MultiMap;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ListQueryTest {
    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    private static ListQuery parse(String... pairs) {
        MultiMap params = MultiMap.caseInsensitiveMultiMap();
        for (int i = 0; i < pairs.length; i += 2) {
            params.add(pairs[i], pairs[i + 1]);
        }
        return ListQuery.parse(params, NOW);
    }

    @Test
    void shouldListEverythingNewestFirstFiftyAtATimeWhenNoParameterIsGiven() {
        ListQuery q = parse();

        assertThat(q).isEqualTo(new ListQuery(null, null, null, null, 50));
    }

    @Test
    void shouldReadTheStatusInAnyCaseAndAroundSpaces() {
        assertThat(parse("status", " parked ").status()).isEqualTo(TxStatus.PARKED);
        assertThat(parse("status", "").status()).as("blank means any status").isNull();
    }

    @Test
    void shouldNameEveryStatusWhenTheStatusIsUnknown() {
        assertThatThrownBy(() -> parse("status", "STUCK")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'status' must be one of [").hasMessageContaining("PARKED")
                .hasMessageContaining("ROLLED_BACK");
    }

    @Test
    void shouldAcceptLimitsFromOneToFiveHundredOnly() {
        assertThat(parse("limit", "1").limit()).isEqualTo(1);
        assertThat(parse("limit", "500").limit()).isEqualTo(500);
        for (String wrong : new String[] {"0", "501", "-3", "ten", "2147483648"}) {
            assertThatThrownBy(() -> parse("limit", wrong)).as(wrong)
                    .hasMessage("'limit' must be a number from 1 to 500");
        }
    }

    @Test
    void shouldAcceptOnlyCursorsShapedLikeTheOnesPagesHandOut() {
        String handedOut = "7ffffe6b2c1d0e9f|0193a5b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b";

        assertThat(parse("cursor", handedOut).cursor()).isEqualTo(handedOut);
        assertThatThrownBy(() -> parse("cursor", "page-2")).hasMessageStartingWith("'cursor' is not one this API handed out");
        assertThatThrownBy(() -> parse("cursor", "7FFFFE6B2C1D0E9F|x")).as("upper-case hex is not what pages hand out")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldTurnOlderThanIntoTheNewestCreationTimeListed() {
        assertThat(parse("olderThan", "10m").createdBefore()).isEqualTo(NOW.minus(Duration.ofMinutes(10)));
        assertThat(parse("olderThan", "2h").createdBefore()).isEqualTo(NOW.minus(Duration.ofHours(2)));
    }

    @Test
    void shouldSayWhatADurationLooksLikeWhenOlderThanIsNotOne() {
        assertThatThrownBy(() -> parse("olderThan", "yesterday"))
                .hasMessageStartingWith("'olderThan' must be a duration such as 30s, 10m or 2h (");
    }

    @Test
    void shouldTrimTheDefinitionAndTreatABlankOneAsAny() {
        assertThat(parse("definition", "  trip-booking ").definition()).isEqualTo("trip-booking");
        assertThat(parse("definition", "   ").definition()).isNull();
    }
}
