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

    /** @param settings an {@code OTEL_*} variable's value by name, or null */
    static SpanSink from(Function<String, String> settings) {
        if (!enabled(settings)) {
            return SpanSink.NONE;
        }
        AutoConfiguredOpenTelemetrySdk configured = AutoConfiguredOpenTelemetrySdk.builder()
                // Defaults the OTEL_* variables override: Sagalog sends traces only, as service "sagalog".
                .addPropertiesSupplier(() -> Map.of("otel.service.name", "sagalog", "otel.metrics.exporter", "none",
                        "otel.logs.exporter", "none"))
                .addTracerProviderCustomizer((provider, config) -> provider.setIdGenerator(OtelSpans.ids()))
                .build();
        log.info("tracing on: spans go to the exporter OTEL_TRACES_EXPORTER names ({})",
                value(settings, "OTEL_TRACES_EXPORTER", "otlp"));
        return new OtelSpans(configured.getOpenTelemetrySdk(), configured.getOpenTelemetrySdk());
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
