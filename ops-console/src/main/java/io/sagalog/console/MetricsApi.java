package io.sagalog.console;

import io.vertx.ext.web.Router;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/** {@code GET /metrics} in the Prometheus text format, from gauges read when scraped. */
public final class MetricsApi {

    /** One sample: a metric name, its labels, its value, and a help line for the name. */
    public record Sample(String name, String help, Map<String, String> labels, double value) {}

    private final Supplier<List<Sample>> samples;
    private final Supplier<String> registry;

    public MetricsApi(Supplier<List<Sample>> samples) {
        this(samples, () -> "");
    }

    /** @param registry more metrics, already in the Prometheus text format (e.g. a Micrometer registry's scrape) */
    public MetricsApi(Supplier<List<Sample>> samples, Supplier<String> registry) {
        this.samples = samples;
        this.registry = registry;
    }

    public void mount(Router router) {
        // Rendered on a worker thread: some gauges read the engine's state stores (RocksDB) when scraped, which
        // must not happen on an event loop.
        router.get("/metrics").handler(ctx -> ctx.vertx().<String>executeBlocking(() -> render(samples.get()) + registry.get(),
                false).onComplete(text -> {
                    if (text.failed()) {
                        ctx.fail(text.cause());
                    } else {
                        ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(text.result());
                    }
                }));
    }

    static String render(List<Sample> samples) {
        Map<String, List<Sample>> byName = new TreeMap<>();
        samples.forEach(s -> byName.computeIfAbsent(s.name(), n -> new java.util.ArrayList<>()).add(s));
        StringBuilder out = new StringBuilder();
        byName.forEach((name, list) -> {
            out.append("# HELP ").append(name).append(' ').append(list.get(0).help()).append('\n');
            out.append("# TYPE ").append(name).append(" gauge\n");
            for (Sample s : list) {
                out.append(name);
                if (!s.labels().isEmpty()) {
                    out.append('{');
                    String sep = "";
                    for (var l : new TreeMap<>(s.labels()).entrySet()) {
                        out.append(sep).append(l.getKey()).append("=\"")
                                .append(l.getValue().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
                        sep = ",";
                    }
                    out.append('}');
                }
                out.append(' ').append(s.value()).append('\n');
            }
        });
        return out.toString();
    }
}
