package io.sagalog.app;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sagalog.console.HealthApi;
import io.sagalog.console.MetricsApi;
import io.sagalog.engine.TransactionQueries.Endpoint;
import io.sagalog.engine.registry.Registry;
import io.sagalog.health.ComponentHealth;
import io.sagalog.health.ConsumerFactory;
import io.sagalog.ingest.Admission;
import io.sagalog.http.ApiDocuments;
import io.sagalog.http.ControlLog;
import io.sagalog.ingest.DeliveryAdmission;
import io.sagalog.ingest.IngestApi;
import io.sagalog.ingest.KafkaControlLog;
import io.sagalog.ingest.LagAdmission;
import io.sagalog.http.TransactionWaits;
import io.sagalog.http.auth.BearerAuth;
import io.sagalog.http.auth.DeclaredRoutes;
import io.sagalog.http.auth.Role;
import io.sagalog.http.auth.Tokens;
import io.sagalog.schemas.KafkaClients;
import io.sagalog.schemas.TopicNames;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A stateless front end ({@code sagalog ingest}): no Kafka Streams, no RocksDB, no state directory. It answers
 * submits itself (appended to the control log, {@code ?wait} answered by following the journal) and relays every
 * other request to the engine instances ({@link EngineRelay}). Any number run side by side, scaled on their own.
 */
public final class IngestNode implements AutoCloseable {

    /**
     * @param engines where reads, actions, callbacks and registry calls go ({@code --engine-url})
     * @param tokens bearer tokens and their roles for submits; null turns authentication off (relayed requests are
     *     checked by the engine they reach)
     * @param advertisedUrl how others reach this front; null: the bound host and port
     */
    public record Options(KafkaClients kafka, TopicNames topics, String host, int port, List<Endpoint> engines,
                          Tokens tokens, HttpLimits limits, String advertisedUrl) {}

    private final Vertx vertx;
    private final HttpServer http;
    private final HttpFront front;
    private final Registry registry;
    private final ControlLog controlLog;
    private final TransactionWaits waits;
    private final BrokerProbe broker;
    private final AutoCloseable metricBinders;

    private IngestNode(Vertx vertx, HttpServer http, HttpFront front, Registry registry, ControlLog controlLog,
                       TransactionWaits waits, BrokerProbe broker, AutoCloseable metricBinders) {
        this.metricBinders = metricBinders;
        this.vertx = vertx;
        this.http = http;
        this.front = front;
        this.registry = registry;
        this.controlLog = controlLog;
        this.waits = waits;
        this.broker = broker;
    }

    /** Reads the registry, listens, and returns once submits are served. Topics must exist (an engine creates them). */
    public static IngestNode start(Options options) throws Exception {
        return start(options, ConsumerFactory.KAFKA);
    }

    /** @param consumers creates the Kafka consumers of the background loops (tests slow or break them on purpose) */
    public static IngestNode start(Options options, ConsumerFactory consumers) throws Exception {
        NodeAddress.problem(options.host(), options.advertisedUrl()).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        ComponentHealth health = new ComponentHealth();
        CompletableFuture<Registry> registryRead = RegistryRead.start(options.kafka(), options.topics(), health,
                consumers);
        Vertx vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        HttpFront front = new HttpFront(vertx, router, options.limits());
        HttpServer http;
        Registry registry;
        try {
            http = front.create().listen(options.port(), options.host()).toCompletionStage().toCompletableFuture().get();
            registry = registryRead.get();
        } catch (Exception e) {
            Closeables.closeAll(vertx::close, () -> registryRead.thenAccept(Registry::close));
            throw RegistryRead.cause(e);
        }
        NodeAddress address = NodeAddress.of(options.host(), http.actualPort(), options.advertisedUrl());
        EngineInstances engines = new EngineInstances(options.engines(), new Endpoint(address.host(), address.port()));
        HttpLimits limits = options.limits();
        BrokerProbe broker = new BrokerProbe(options.kafka());
        ControlLog controlLog = new KafkaControlLog(options.kafka(), options.topics(), limits.requestTimeout(),
                limits.maxInFlightSubmits());
        TransactionWaits waits = null;
        try {
            waits = new TransactionWaits(vertx, options.kafka(), options.topics(), health, consumers);
            AutoCloseable binders = mount(router, vertx, options, engines, registry, controlLog, waits, health, broker);
            front.open();
            return new IngestNode(vertx, http, front, registry, controlLog, waits, broker, binders);
        } catch (Exception e) {
            Closeables.closeAll(vertx::close, controlLog, registry, broker, waits);
            throw e;
        }
    }

    /** Mounts the routes; returns what closes the metric binders. */
    private static AutoCloseable mount(Router router, Vertx vertx, Options options, EngineInstances engines, Registry registry,
                              ControlLog controlLog, TransactionWaits waits, ComponentHealth health, BrokerProbe broker) {
        // Before the API's guard: what the front does not answer itself is the engine's to check and answer.
        new EngineRelay(vertx, engines).mount(router);
        BearerAuth auth = options.tokens() == null ? BearerAuth.disabled() : new BearerAuth(options.tokens());
        DeclaredRoutes routes = DeclaredRoutes.on(router, auth);
        ApiDocuments.mount(routes);
        // The engine's own admission, on the figures the engines report (EngineLoad); the control log's bound on
        // in-flight appends applies besides.
        HttpLimits limits = options.limits();
        EngineLoad load = new EngineLoad(health);
        LagAdmission lag = new LagAdmission(load::engineLag, limits.maxEngineLag());
        load.follow(vertx, options.engines(), engineToken(options.tokens()), lag::refresh);
        Admission admission = Admission.all(lag, new DeliveryAdmission(load, limits.maxDeliveryDelay()));
        new IngestApi(vertx, controlLog, registry::definitions, Clock.systemUTC(), waits, engines, admission,
                limits.requestTimeout(), registry::readToEnd).mount(routes);
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmGcMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        NodeMetrics.countRestarts(health, meters);
        NodeMetrics.buildInfo(meters);
        new MetricsApi(meters::scrape).mount(router);
        new HealthApi(Map.of("broker", () -> new HealthApi.Check(broker.state(), broker.reachable()),
                Registry.COMPONENT, HealthApi.component(health, Registry.COMPONENT),
                TransactionWaits.COMPONENT, HealthApi.component(health, TransactionWaits.COMPONENT),
                EngineLoad.COMPONENT, HealthApi.component(health, EngineLoad.COMPONENT))).mount(router);
        RouterErrors.mount(router);
        return NodeMetrics.bindKafka(meters, null, controlLog);
    }

    /** A token the engines accept for {@link EngineLoad#PATH}: the first submitter's, else a viewer's; null without auth. */
    private static String engineToken(Tokens tokens) {
        if (tokens == null) {
            return null;
        }
        Map<Role, String> first = tokens.firstTokenPerRole();
        return first.getOrDefault(Role.SUBMITTER, first.get(Role.VIEWER));
    }

    /** For tests: every route of this front's router. */
    java.util.List<io.vertx.ext.web.Route> routes() {
        return front.routes();
    }

    public int port() {
        return http.actualPort();
    }

    /** Stops taking requests first, lets those in progress finish, then closes its Kafka clients. */
    @Override
    public void close() {
        front.shutdown(http);
        Closeables.closeAll(metricBinders, waits, controlLog, registry, broker, vertx::close);
    }
}
