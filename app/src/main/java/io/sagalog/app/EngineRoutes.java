package io.sagalog.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sagalog.dispatcher.HttpDispatcher;
import io.sagalog.console.ClusterHealth;
import io.sagalog.console.ConsolePage;
import io.sagalog.console.EngineMetrics;
import io.sagalog.console.HealthApi;
import io.sagalog.console.MetricsApi;
import io.sagalog.console.QueryApi;
import io.sagalog.engine.CallbackTokens;
import io.sagalog.engine.SagaEngine;
import io.sagalog.engine.registry.Registry;
import io.sagalog.health.ComponentHealth;
import io.sagalog.ingest.Admission;
import io.sagalog.http.ApiDocuments;
import io.sagalog.http.ControlLog;
import io.sagalog.ingest.DeliveryAdmission;
import io.sagalog.ingest.IngestApi;
import io.sagalog.ingest.LagAdmission;
import io.sagalog.ingest.RegistryApi;
import io.sagalog.ingest.StepResultsApi;
import io.sagalog.http.TransactionWaits;
import io.sagalog.http.auth.BearerAuth;
import io.sagalog.http.auth.DeclaredRoutes;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/** The routes of an engine node ({@code sagalog engine}, {@code sagalog dev}): the whole API, console, health, metrics. */
final class EngineRoutes {
    private EngineRoutes() {}

    /** What the routes serve; {@code dispatcher} is started after the routes are mounted (null until then). */
    record Parts(Vertx vertx, Router router, SagalogNode.Options options, SagaEngine engine, Registry registry,
                 ControlLog controlLog, TransactionWaits waits, EngineMetrics engineMetrics,
                 PrometheusMeterRegistry meters, ComponentHealth health, BrokerProbe broker, NodeTopics.Checked topics,
                 CallbackTokens callbackTokens, Supplier<HttpDispatcher> dispatcher) {}

    /** Mounts the routes; returns what closes the node's metric binders (close it when the node stops). */
    static AutoCloseable mount(Parts p) {
        Vertx vertx = p.vertx();
        SagaEngine engine = p.engine();
        HttpLimits limits = p.options().limits();
        BearerAuth auth = p.options().tokens() == null ? BearerAuth.disabled() : new BearerAuth(p.options().tokens());
        // Every /v1 route is declared with its roles as it is mounted; an undeclared one is never reached.
        DeclaredRoutes routes = DeclaredRoutes.on(p.router(), auth);
        new ConsolePage().mount(p.router());
        ApiDocuments.mount(routes);
        LagAdmission lagAdmission = new LagAdmission(engine::consumerLag, limits.maxEngineLag());
        // Measured once a second on a worker, so a submit only reads the last measurement.
        vertx.setPeriodic(1_000, id -> vertx.executeBlocking(() -> {
            lagAdmission.refresh();
            p.engineMetrics().bindDeliveryDelays(engine.deliveryDelays());
            return null;
        }, false));
        Admission admission = Admission.all(lagAdmission,
                new DeliveryAdmission(engine.deliveryDelays(), limits.maxDeliveryDelay()));
        new IngestApi(vertx, p.controlLog(), p.registry()::definitions, Clock.systemUTC(), p.waits(), engine.queries(),
                admission, limits.requestTimeout(), p.registry()::readToEnd).mount(routes);
        // What the stateless front ends fetch to apply the same admission (EngineLoad).
        EngineLoad.serve(routes, () -> String.valueOf(engine.queries().self()), lagAdmission::lastLag,
                engine.deliveryDelays()::recent);
        new QueryApi(vertx, engine.queries(), p.controlLog(), Clock.systemUTC(), p.waits()).mount(routes);
        new RegistryApi(vertx, p.registry(), p.options().participantUrls()).mount(routes);
        new StepResultsApi(vertx, p.controlLog(), engine.queries(), p.callbackTokens(), Clock.systemUTC()).mount(routes);
        // Background loops restart themselves; readiness names the one that is not UP, the metric counts restarts.
        NodeMetrics.countRestarts(p.health(), p.meters());
        ComponentHealth health = p.health();
        new HealthApi(Map.of("engine", () -> {
            KafkaStreams.State state = engine.state();
            return new HealthApi.Check(state.name(), state == KafkaStreams.State.RUNNING);
        }, "broker", () -> new HealthApi.Check(p.broker().state(), p.broker().reachable()),
                "engine-stream-threads", () -> {
                    SagaEngine.StreamThreads threads = engine.streamThreads();
                    return new HealthApi.Check(threads.toString(), threads.allAlive());
                },
                Registry.COMPONENT, HealthApi.component(health, Registry.COMPONENT),
                TransactionWaits.COMPONENT, HealthApi.component(health, TransactionWaits.COMPONENT),
                HttpDispatcher.COMPONENT, HealthApi.component(health, HttpDispatcher.COMPONENT))).mount(p.router());
        ClusterHealth cluster = new ClusterHealth(WebClient.create(vertx), engine.queries()::instances,
                engine.queries()::self, () -> engine.state() == KafkaStreams.State.RUNNING && p.broker().reachable(),
                p.topics()::problems);
        cluster.mount(p.router());
        cluster.refreshEvery(vertx, 10_000); // for sagalog_cluster_health between requests
        Runnable beforeScrape = NodeMetrics.engine(p.meters(), engine, p.dispatcher(), cluster::lastStatus,
                p.topics().problems().size());
        NodeMetrics.buildInfo(p.meters());
        new MetricsApi(() -> {
            beforeScrape.run();
            return p.meters().scrape();
        }).mount(p.router());
        RouterErrors.mount(p.router());
        return NodeMetrics.bindKafka(p.meters(), engine.kafkaStreams(), p.controlLog());
    }
}
