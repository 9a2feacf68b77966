package io.sagalog.console;

import io.vertx.ext.web.Router;
import java.util.function.Supplier;

/**
 * {@code GET /metrics} in the Prometheus text format: the scrape of the node's Micrometer registry, which holds every
 * metric the node exports (gauges read their values when scraped).
 */
public final class MetricsApi {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Supplier<String> scrape;

    /** @param scrape the registry's scrape (e.g. {@code PrometheusMeterRegistry::scrape}), called on a worker thread */
    public MetricsApi(Supplier<String> scrape) {
        this.scrape = scrape;
    }

    public void mount(Router router) {
        // Rendered on a worker thread: some gauges read the engine's state stores (RocksDB) when scraped, which
        // must not happen on an event loop.
        router.get("/metrics").handler(ctx -> ctx.vertx().executeBlocking(scrape::get, false).onComplete(text -> {
            if (text.failed()) {
                ctx.fail(text.cause());
            } else {
                ctx.response().putHeader("Content-Type", CONTENT_TYPE).end(text.result());
            }
        }));
    }
}
