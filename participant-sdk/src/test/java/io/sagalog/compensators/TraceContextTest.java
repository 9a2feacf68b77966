package io.sagalog.compensators;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceContextTest {
    @Test
    void aRequestsTraceparentIsHandedOver() {
        TraceContext c = TraceContext.of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(c).isEqualTo(new TraceContext("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true));
        assertThat(c.traceparent()).isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    }

    @Test
    void noneOrABadOneGivesANewTraceNeverAnError() {
        for (String bad : new String[] {null, "", "00-zz-01", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"}) {
            TraceContext c = TraceContext.of(bad);
            assertThat(c.traceId()).hasSize(32).isNotEqualTo("00000000000000000000000000000000");
            assertThat(c.spanId()).hasSize(16);
            assertThat(TraceContext.of(c.traceparent())).isEqualTo(c);
        }
    }

    @Test
    void aCallMadeByHandHasAContextToo() {
        StepCall call = new StepCall("tx", "d", "s", "h", 1, "tx:s:h", null, null, java.time.Instant.EPOCH);
        assertThat(call.traceContext()).isNotNull();
    }
}
