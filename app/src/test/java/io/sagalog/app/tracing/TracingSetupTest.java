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

    @Test
    void grpcIsRefusedInOneLine() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TracingSetup.from(Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")::get))
                .isInstanceOf(io.sagalog.app.UsageError.class).hasMessageContaining("http/protobuf");
    }

    /** With an OTLP endpoint set, a finished span reaches it over HTTP (autoconfiguration, exporter, JDK sender). */
    @Test
    void spansGoOutThroughOtlpOverHttp() throws Exception {
        java.util.List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer collector = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/", exchange -> {
            received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                    + exchange.getRequestHeaders().getFirst("Content-Type") + " " + exchange.getRequestBody().readAllBytes().length);
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        String endpoint = "otel.exporter.otlp.endpoint";
        System.setProperty(endpoint, "http://127.0.0.1:" + collector.getAddress().getPort());
        try {
            SpanSink sink = TracingSetup.fromEnvironment();
            assertThat(sink.enabled()).isTrue();
            io.sagalog.tracing.TraceParent trace = io.sagalog.tracing.TraceParent.newTrace(
                    io.sagalog.tracing.TraceParent.randomSpanId());
            sink.finished(new io.sagalog.engine.trace.FinishedSpan("transaction d", io.sagalog.engine.trace.FinishedSpan
                    .Kind.INTERNAL, trace, null, 1_000, 2_000, Map.of("sagalog.tx_id", "tx"), false, null));
            sink.close(); // flushes the batch processor
            assertThat(received).anySatisfy(r -> assertThat(r).startsWith("POST /v1/traces application/x-protobuf"));
        } finally {
            System.clearProperty(endpoint);
            collector.stop(0);
        }
    }
}
