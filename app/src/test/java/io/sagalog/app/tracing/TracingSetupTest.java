package io.sagalog.app.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.engine.trace.SpanSink;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TracingSetupTest {
    @Test
    void offUnlessAnExporterOrEndpointIsNamed() {
        assertThat(TracingSetup.enabled(Map.<String, String>of()::get)).isFalse();
        assertThat(TracingSetup.enabled(Map.of("OTEL_TRACES_EXPORTER", "none")::get)).isFalse();
        assertThat(TracingSetup.enabled(Map.of("OTEL_TRACES_EXPORTER", " ", "OTEL_SERVICE_NAME", "x")::get)).isFalse();
        assertThat(TracingSetup.enabled(Map.of("OTEL_TRACES_EXPORTER", "otlp")::get)).isTrue();
        assertThat(TracingSetup.enabled(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")::get)).isTrue();
        assertThat(TracingSetup.enabled(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/v1/traces")::get))
                .isTrue();
        assertThat(TracingSetup.enabled(Map.of("OTEL_TRACES_EXPORTER", "none",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")::get)).as("none wins").isFalse();
    }

    @Test
    void offMeansTheEngineBuildsNoSpans() {
        assertThat(TracingSetup.from(Map.<String, String>of()::get)).isSameAs(SpanSink.NONE);
        assertThat(SpanSink.NONE.enabled()).isFalse();
    }
}
