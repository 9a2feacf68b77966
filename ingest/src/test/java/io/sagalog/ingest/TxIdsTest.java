package io.sagalog.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TxIdsTest {

    @Test
    void shouldBeVersion7UuidsCarryingTheirTimeInTheFirst48Bits() {
        long at = 1_764_576_000_000L; // 2025-12-01T08:00:00Z
        UUID id = TxIds.timeOrdered(at, new Random(1));

        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(at);
        assertThat(UUID.fromString(id.toString())).isEqualTo(id);
    }

    @Test
    void shouldSortLaterIdsAfterEarlierOnesAsText() {
        Random random = new Random(7);
        List<String> ids = new ArrayList<>();
        for (long ms = 1_700_000_000_000L; ms < 1_700_000_000_000L + 5_000; ms += 3) {
            ids.add(TxIds.timeOrdered(ms, random).toString());
        }
        assertThat(ids).isSorted(); // the store's keys are these strings: new ones go to the end
    }

    @Test
    void shouldNotRepeatWithinOneMillisecond() {
        HashSet<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            seen.add(TxIds.next(1_700_000_000_000L));
        }
        assertThat(seen).hasSize(100_000);
    }
}
