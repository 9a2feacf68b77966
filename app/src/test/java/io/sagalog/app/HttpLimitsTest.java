package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HttpLimitsTest {

    @Test
    void theConnectionCapLeavesFileDescriptorsForKafka() {
        assertThat(HttpLimits.fdBudget(20_000)).isEqualTo(7_952);
        assertThat(HttpLimits.fdBudget(1_024)).isEqualTo(64);
        assertThat(HttpLimits.fdBudget(-1)).isEqualTo(Long.MAX_VALUE);
        HttpLimits limits = HttpLimits.defaults();
        assertThat(limits.effectiveMaxConnections()).isLessThanOrEqualTo(HttpLimits.DEFAULT_MAX_CONNECTIONS)
                .isLessThanOrEqualTo((int) HttpLimits.fdBudget(HttpLimits.maxFileDescriptors()));
    }

    @Test
    void theFlagsHaveTheDocumentedDefaultsAndCanBeSet() {
        NodeOptions defaults = CommandLine.populateCommand(new NodeOptions());
        assertThat(defaults.httpLimits()).isEqualTo(HttpLimits.defaults());

        NodeOptions set = CommandLine.populateCommand(new NodeOptions(), "--http-max-connections", "100",
                "--http-idle-timeout", "5s", "--http-header-timeout", "2s", "--http-request-timeout", "3s",
                "--http-max-header-size", "4096", "--http-max-request-line", "2048", "--max-in-flight-submits", "10",
                "--max-engine-lag", "500", "--max-delivery-delay", "250ms");
        assertThat(set.httpLimits()).isEqualTo(new HttpLimits(100, Duration.ofSeconds(5), Duration.ofSeconds(2),
                Duration.ofSeconds(3), 4096, 2048, 10, 500, Duration.ofMillis(250)));
    }

    @Test
    void deliveryAdmissionCanBeTurnedOff() {
        NodeOptions off = CommandLine.populateCommand(new NodeOptions(), "--max-delivery-delay", "0");
        assertThat(off.httpLimits().maxDeliveryDelay()).isZero();
        assertThatThrownBy(() -> HttpLimits.defaults().withMaxDeliveryDelay(Duration.ofMillis(-1)))
                .hasMessageContaining("--max-delivery-delay");
    }

    @Test
    void nonsenseIsRefused() {
        assertThatThrownBy(() -> HttpLimits.defaults().withMaxConnections(0)).isInstanceOf(IllegalArgumentException.class);
        NodeOptions bad = CommandLine.populateCommand(new NodeOptions(), "--http-idle-timeout", "soon");
        assertThatThrownBy(bad::httpLimits).hasMessageContaining("--http-idle-timeout");
    }
}
