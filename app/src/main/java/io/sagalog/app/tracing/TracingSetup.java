package io.sagalog.app.tracing;

import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.sagalog.engine.trace.SpanSink;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns tracing on from the standard {@code OTEL_*} variables (or {@code otel.*} system properties): off unless
 * {@code OTEL_TRACES_EXPORTER} names an exporter other than {@code none} or an OTLP endpoint is set; then
 * OpenTelemetry's autoconfiguration builds the exporter (OTLP by default), the sampler, the batch processor and the
 * resource from those variables. Off, the engine builds no spans at all.
 */
public final class TracingSetup {
    private static final Logger log = LoggerFactory.getLogger(TracingSetup.class);

    private TracingSetup() {}

    /** From this process's environment and system properties. */
    public static SpanSink fromEnvironment() {
        return from(name -> {
            String property = System.getProperty(name.toLowerCase(java.util.Locale.ROOT).replace('_', '.'));
            return property != null ? property : System.getenv(name);
        });
    }

    /**
     * @param settings an {@code OTEL_*} variable's value by name, or null
     * @throws io.sagalog.app.UsageError when the variables ask for something that cannot be set up (one line, exit 2)
     */
    static SpanSink from(Function<String, String> settings) {
        if (!enabled(settings)) {
            return SpanSink.NONE;
        }
        String protocol = value(settings, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
                value(settings, "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"));
        if (protocol.trim().equalsIgnoreCase("grpc")) {
            throw new io.sagalog.app.UsageError("OTEL_EXPORTER_OTLP_PROTOCOL=grpc: Sagalog sends OTLP over HTTP only; "
                    + "use http/protobuf (the default; collectors take it on port 4318)");
        }
        AutoConfiguredOpenTelemetrySdk configured;
        try {
            configured = build();
        } catch (RuntimeException e) { // ConfigurationException and the like: a variable that cannot be used
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw new io.sagalog.app.UsageError("the OTEL_* variables cannot be used for tracing: " + e.getMessage()
                    + (root == e ? "" : " (" + root + ")"));
        }
        log.info("tracing on: spans go to the exporter OTEL_TRACES_EXPORTER names ({})",
                value(settings, "OTEL_TRACES_EXPORTER", "otlp"));
        return new OtelSpans(configured.getOpenTelemetrySdk(), configured.getOpenTelemetrySdk());
    }

    private static AutoConfiguredOpenTelemetrySdk build() {
        return AutoConfiguredOpenTelemetrySdk.builder()
                // Defaults the OTEL_* variables override: Sagalog sends traces only, as service "sagalog", over
                // http/protobuf (the specification's default; OpenTelemetry Java's own is grpc, not shipped here).
                .addPropertiesSupplier(() -> Map.of("otel.service.name", "sagalog", "otel.metrics.exporter", "none",
                        "otel.logs.exporter", "none", "otel.exporter.otlp.protocol", "http/protobuf"))
                .addTracerProviderCustomizer((provider, config) -> provider.setIdGenerator(OtelSpans.ids()))
                .build();
    }

    /** Whether the variables ask for an exporter. */
    static boolean enabled(Function<String, String> settings) {
        String exporter = settings.apply("OTEL_TRACES_EXPORTER");
        if (exporter != null && !exporter.isBlank()) {
            return !exporter.trim().equalsIgnoreCase("none");
        }
        return notBlank(settings.apply("OTEL_EXPORTER_OTLP_ENDPOINT"))
                || notBlank(settings.apply("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    private static String value(Function<String, String> settings, String name, String otherwise) {
        String v = settings.apply(name);
        return notBlank(v) ? v : otherwise;
    }
}
