package io.sagalog.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TraceParentTest {
    private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void readsAValidHeaderAndWritesItBack() {
        TraceParent p = TraceParent.parse(VALID).orElseThrow();
        assertThat(p.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(p.spanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(p.sampled()).isTrue();
        assertThat(p.header()).isEqualTo(VALID);
        assertThat(TraceParent.parse(" " + VALID.replace("-01", "-00") + " ").orElseThrow().sampled()).isFalse();
        assertThat(TraceParent.parse(VALID.replace("-01", "-03")).orElseThrow().sampled()).as("other flags").isTrue();
    }

    @Test
    void aLaterVersionIsReadByItsFirstFields() {
        assertThat(TraceParent.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes-next"))
                .contains(new TraceParent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true));
    }

    @Test
    void badHeadersGiveNothing() {
        String[] bad = {null, "", "garbage", VALID.toUpperCase(), VALID + "-extra", VALID.substring(1),
                "ff" + VALID.substring(2), "0x" + VALID.substring(2),
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // all-zero trace id
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // all-zero span id
                "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", // not hex
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz",
                "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
                "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x"};
        for (String header : bad) {
            assertThat(TraceParent.parse(header)).as("%s", header).isEmpty();
        }
        assertThat(TraceParent.parse((byte[]) null)).isEmpty();
        assertThat(TraceParent.from(null)).isEmpty();
    }

    @Test
    void noInputThrows() {
        Random random = new Random(42);
        String alphabet = "0123456789abcdefABCDEF-xz \u00e9";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(70);
            for (int j = 0; j < length; j++) {
                s.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            if (random.nextBoolean() && s.length() > 3) { // near misses: the separators where they belong
                s.setLength(Math.min(s.length(), 55));
                for (int dash : new int[] {2, 35, 52}) {
                    if (dash < s.length()) {
                        s.setCharAt(dash, '-');
                    }
                }
            }
            TraceParent.parse(s.toString()); // returns, whatever the text
            byte[] bytes = new byte[random.nextInt(70)];
            random.nextBytes(bytes);
            TraceParent.parse(bytes);
        }
    }

    @Test
    void derivedIdsAreStableAndDistinct() {
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        assertThat(SagaSpanIds.attempt(trace, "tx", "flights", "ACTION", 1))
                .isEqualTo(SagaSpanIds.attempt(trace, "tx", "flights", "ACTION", 1))
                .isNotEqualTo(SagaSpanIds.attempt(trace, "tx", "flights", "ACTION", 2))
                .isNotEqualTo(SagaSpanIds.attempt(trace, "tx", "flights", "COMPENSATION", 1))
                .isNotEqualTo(SagaSpanIds.transaction(trace, "tx"))
                .hasSize(16);
    }

    @Test
    void aRequestWithoutUsableContextStartsATraceRootedAtTheTransaction() {
        for (String header : new String[] {null, "nonsense"}) {
            TraceParent made = SagaSpanIds.ofRequest(header, "tx-1");
            assertThat(made.spanId()).isEqualTo(SagaSpanIds.transaction(made.traceId(), "tx-1"));
            assertThat(SagaSpanIds.isRoot(made, "tx-1")).isTrue();
        }
        assertThat(SagaSpanIds.ofRequest(null, "tx-1").traceId()).isNotEqualTo(SagaSpanIds.ofRequest(null, "tx-1").traceId());
        TraceParent kept = SagaSpanIds.ofRequest(VALID, "tx-1");
        assertThat(kept.header()).isEqualTo(VALID);
        assertThat(SagaSpanIds.isRoot(kept, "tx-1")).isFalse();
    }
}
