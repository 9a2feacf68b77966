package io.sagalog.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsApiTest {
    @Test
    void shouldWriteOneHelpAndTypeLinePerNameAndOneLinePerSample() {
        String text = MetricsApi.render(List.of(
                new MetricsApi.Sample("sagalog_b", "B things", Map.of(), 2),
                new MetricsApi.Sample("sagalog_a", "A things", Map.of("participant", "hotels"), 1),
                new MetricsApi.Sample("sagalog_a", "A things", Map.of("participant", "flights"), 3)));

        assertThat(text).isEqualTo("""
                # HELP sagalog_a A things
                # TYPE sagalog_a gauge
                sagalog_a{participant="hotels"} 1.0
                sagalog_a{participant="flights"} 3.0
                # HELP sagalog_b B things
                # TYPE sagalog_b gauge
                sagalog_b 2.0
                """);
    }

    @Test
    void shouldSortLabelsAndEscapeQuotesAndBackslashesInTheirValues() {
        String text = MetricsApi.render(List.of(new MetricsApi.Sample("m", "h",
                Map.of("z", "last", "a", "say \"hi\" c:\\dir"), 0)));

        assertThat(text).contains("m{a=\"say \\\"hi\\\" c:\\\\dir\",z=\"last\"} 0.0\n");
    }
}
