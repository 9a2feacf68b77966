package io.sagalog.app;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sagalog.dispatcher.HttpDispatcher;
import io.sagalog.console.EngineMetrics;
import io.sagalog.engine.CallbackTokens;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.sagalog.engine.SagaEngine;
import io.sagalog.engine.TransactionQueries;
import io.sagalog.engine.registry.Registry;
import io.sagalog.http.ControlLog;
import io.sagalog.ingest.KafkaControlLog;
import io.sagalog.ingest.ParticipantUrls;
import io.sagalog.http.TransactionWaits;
import io.sagalog.health.ComponentHealth;
import io.sagalog.http.auth.Tokens;
import io.sagalog.schemas.KafkaClients;
import io.sagalog.schemas.TopicNames;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One engine process against a Kafka cluster: the engine, and ingest and console on one HTTP port (the whole API;
 * {@link IngestNode} is the stateless front end that serves submits without an engine). {@code app} only wires; each
 * part lives in its own module, the routes in {@link EngineRoutes}.
 */
public final class SagalogNode implements AutoCloseable {
    /**
     * @param port the HTTP port, 0 for any free one
     * @param partitions partitions of the topics created on start (existing topics are left alone)
     * @param tokens bearer tokens and their roles; null turns authentication off (tests, {@code --no-auth})
     * @param participantUrls which participant URLs may be registered ({@code --participant-allow}); the constructors
     *     without it and without a callback secret (tests, benchmarks, one machine) allow loopback
     * @param advertisedUrl how other instances and HTTP participants reach this node ({@link NodeAddress}); null: the
     *     bound host and port, which must then not be all interfaces
     * @param sharedSecret whether the callback secret is checked against the deployment's at start ({@link
     *     SharedSecret}); off for a secret made up for one process
     * @param cluster replication, journal retention and standby replicas ({@link ClusterSettings#defaults()})
     */
    public record Options(EngineConfig engine, String host, int port, int partitions, DefinitionCatalog definitions,
                          byte[] callbackSecret, Tokens tokens, ParticipantUrls participantUrls, HttpLimits limits,
                          String advertisedUrl, boolean sharedSecret, ClusterSettings cluster) {
        public Options(EngineConfig engine, String host, int port, int partitions, DefinitionCatalog definitions,
                       byte[] callbackSecret, Tokens tokens, ParticipantUrls participantUrls, HttpLimits limits) {
            this(engine, host, port, partitions, definitions, callbackSecret, tokens, participantUrls, limits,
                    null, false, ClusterSettings.defaults());
        }

        public Options withCluster(ClusterSettings cluster) {
            return new Options(engine, host, port, partitions, definitions, callbackSecret, tokens, participantUrls,
                    limits, advertisedUrl, sharedSecret, cluster);
        }

        /** Loopback, link-local and metadata participant URLs refused; the default {@link HttpLimits}. */
        public Options(EngineConfig engine, String host, int port, int partitions, DefinitionCatalog definitions,
                       byte[] callbackSecret, Tokens tokens) {
            this(engine, host, port, partitions, definitions, callbackSecret, tokens, ParticipantUrls.strict());
        }

        /** With the default {@link HttpLimits}. */
        public Options(EngineConfig engine, String host, int port, int partitions, DefinitionCatalog definitions,
                       byte[] callbackSecret, Tokens tokens, ParticipantUrls participantUrls) {
            this(engine, host, port, partitions, definitions, callbackSecret, tokens, participantUrls,
                    HttpLimits.defaults());
        }

        public Options withLimits(HttpLimits limits) {
            return new Options(engine, host, port, partitions, definitions, callbackSecret, tokens, participantUrls,
                    limits, advertisedUrl, sharedSecret, cluster);
        }

        /** Advertised at {@code url} ({@code --advertised-url}), with the callback secret checked as shared. */
        public Options withIdentity(String url, boolean shared) {
            return new Options(engine, host, port, partitions, definitions, callbackSecret, tokens, participantUrls,
                    limits, url, shared, cluster);
        }

        /** With a random callback secret: fine for one instance; several instances must share one secret. */
        public Options(EngineConfig engine, String host, int port, int partitions, DefinitionCatalog definitions) {
            this(engine, host, port, partitions, definitions, randomSecret(), null, loopback());
        }

        /** Without authentication. */
        public Options(EngineConfig engine, String host, int port, int partitions, DefinitionCatalog definitions,
                       byte[] callbackSecret) {
            this(engine, host, port, partitions, definitions, callbackSecret, null, loopback());
        }

        /** With a random callback secret and the given tokens. */
        public Options(EngineConfig engine, String host, int port, int partitions, DefinitionCatalog definitions,
                       Tokens tokens) {
            this(engine, host, port, partitions, definitions, randomSecret(), tokens, loopback());
        }

        private static ParticipantUrls loopback() {
            return ParticipantUrls.allowing(ParticipantUrls.LOOPBACK);
        }

        public static byte[] randomSecret() {
            byte[] secret = new byte[32];
            new java.security.SecureRandom().nextBytes(secret);
            return secret;
        }
    }

    private final SagaEngine engine;
    private final Registry registry;
    private final HttpDispatcher dispatcher;
    private final ControlLog controlLog;
    private final Vertx vertx;
    private final HttpServer http;
    private final BrokerProbe broker;
    private final TransactionWaits waits;
    private final HttpFront front;
    private final AutoCloseable metricBinders;

    private SagalogNode(SagaEngine engine, Registry registry, HttpDispatcher dispatcher, ControlLog controlLog, Vertx vertx,
                        HttpServer http, BrokerProbe broker, TransactionWaits waits, HttpFront front,
                        AutoCloseable metricBinders) {
        this.front = front;
        this.metricBinders = metricBinders;
        this.broker = broker;
        this.waits = waits;
        this.engine = engine;
        this.registry = registry;
        this.dispatcher = dispatcher;
        this.controlLog = controlLog;
        this.vertx = vertx;
        this.http = http;
    }

    /**
     * Creates missing topics, starts the engine and the HTTP server, and returns once the engine is RUNNING.
     *
     * <p>Start-up time is recovery time after a crash, so the independent parts run side by side: Vert.x and the HTTP
     * listener start while the topics are checked, and the engine joins its group and restores its stores while the
     * registry is read. The engine cannot decide anything before the registry is loaded: its definitions wait for
     * the read (which ends long before a task is restored and running; it is bounded by the registry's own timeout).
     */
    public static SagalogNode start(Options options) throws Exception {
        return start(options, io.sagalog.health.ConsumerFactory.KAFKA);
    }

    /** @param consumers creates the Kafka consumers of the background loops (tests break them on purpose) */
    public static SagalogNode start(Options options, io.sagalog.health.ConsumerFactory consumers) throws Exception {
        return start(options, consumers, io.sagalog.app.tracing.TracingSetup.fromEnvironment());
    }

    /** @param spans where the engine's spans go (the engine closes it); {@code OTEL_*} variables choose it otherwise */
    public static SagalogNode start(Options options, io.sagalog.health.ConsumerFactory consumers,
                                    io.sagalog.engine.trace.SpanSink spans) throws Exception {
        NodeAddress.problem(options.host(), options.advertisedUrl()).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        ComponentHealth health = new ComponentHealth();
        KafkaClients kafka = options.engine().kafka();
        TopicNames names = options.engine().topics();
        long t0 = System.nanoTime();
        // HTTP listens first: its port is the engine's query address (application.server), which other
        // instances forward to. Routes are added once the engine exists; until start() returns nobody calls.
        CompletableFuture<Vertx> vertxStarted = CompletableFuture.supplyAsync(Vertx::vertx);
        NodeTopics.Checked topics;
        try {
            topics = NodeTopics.ensure(kafka, names, options.definitions(), options.partitions(), options.cluster());
        } catch (Exception e) {
            vertxStarted.thenAccept(Vertx::close);
            throw e;
        }
        long topicsChecked = System.nanoTime();
        CompletableFuture<Registry> registryRead = RegistryRead.start(kafka, names, health, consumers);
        Vertx vertx = vertxStarted.get();
        Router router = Router.router(vertx);
        HttpServer http;
        // Until the routes are mounted (and again while the node stops) the front answers 503 with Retry-After.
        HttpFront front = new HttpFront(vertx, router, options.limits());
        try {
            http = front.create().listen(options.port(), options.host())
                    .toCompletionStage().toCompletableFuture().get();
        } catch (Exception e) {
            vertx.close();
            registryRead.thenAccept(Registry::close);
            throw new IllegalStateException("cannot listen on " + options.host() + ":" + options.port() + ": "
                    + e.getMessage(), e);
        }
        NodeAddress address = NodeAddress.of(options.host(), http.actualPort(), options.advertisedUrl());
        StartupLog.starting(options, http.actualPort(), address.baseUrl());
        if (options.sharedSecret()) {
            // Checked before the engine joins its group: an instance with the wrong secret never takes partitions
            // from the healthy ones (it costs this start the registry read, which otherwise runs beside the join).
            try {
                SharedSecret.verify(registryRead.get(), options.engine().applicationId(), options.callbackSecret(),
                        address.baseUrl());
            } catch (Exception e) {
                vertx.close();
                registryRead.thenAccept(Registry::close);
                throw RegistryRead.cause(e);
            }
        }
        // Until the registry is read these wait for it; afterwards join() on the completed future returns at once.
        Supplier<DefinitionCatalog> definitions = () -> registryRead.join().definitions();
        java.util.function.Predicate<String> participantRegistered =
                participant -> registryRead.join().participant(participant).isPresent();
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        EngineMetrics engineMetrics = new EngineMetrics(meters, definitions);
        // Derived settings first, so that a test's or caller's own overrides still win.
        Map<String, Object> streams = NodeTopics.streamsSettings(topics.settings(), options.cluster(), kafka);
        streams.putAll(options.engine().overrides());
        streams.put(org.apache.kafka.streams.StreamsConfig.APPLICATION_SERVER_CONFIG, address.applicationServer());
        SagaEngine engine = SagaEngine.start(options.engine().withOverrides(streams),
                io.sagalog.engine.Registrations.of(definitions, participantRegistered), engineMetrics, spans);
        Registry registry;
        try {
            registry = registryRead.get();
            BuiltInDefinitions.register(registry, options.definitions());
        } catch (Exception e) {
            engine.close();
            vertx.close();
            registryRead.thenAccept(Registry::close);
            throw RegistryRead.cause(e);
        }
        long registryReadAt = System.nanoTime();
        engineMetrics.bindGauges(engine.queries()::counts, engine::consumerLag);
        engineMetrics.bindStoreGauges(engine::storeSizes);
        BrokerProbe broker = new BrokerProbe(kafka);
        HttpLimits limits = options.limits();
        ControlLog controlLog = new KafkaControlLog(kafka, names, limits.requestTimeout(), limits.maxInFlightSubmits());
        CallbackTokens tokens = new CallbackTokens(options.callbackSecret());
        HttpDispatcher dispatcher = null;
        TransactionWaits waits = null;
        AutoCloseable metricBinders = null;
        try {
            waits = new TransactionWaits(vertx, kafka, names, health, consumers);
            HttpDispatcher[] dispatcherRef = new HttpDispatcher[1];
            metricBinders = EngineRoutes.mount(new EngineRoutes.Parts(vertx, router, options, engine, registry, controlLog, waits,
                    engineMetrics, meters, health, broker, topics, tokens, () -> dispatcherRef[0]));
            dispatcher = HttpDispatcher.start(vertx, kafka, names, HttpDispatcher.Group.of(options.engine().applicationId(),
                    options.engine().instanceId()), registry::participants, tokens, address.callbackUrl(), health,
                    consumers);
            dispatcherRef[0] = dispatcher;
            front.open();
            engine.awaitStarted();
            StartupLog.started(t0, topicsChecked, registryReadAt);
            return new SagalogNode(engine, registry, dispatcher, controlLog, vertx, http, broker, waits, front,
                    metricBinders);
        } catch (Exception e) {
            Closeables.closeAll(metricBinders, dispatcher, vertx::close, controlLog, engine, registry, broker, waits);
            throw e;
        }
    }

    public Registry registry() {
        return registry;
    }

    /** For tests: every route of this node's router. */
    java.util.List<io.vertx.ext.web.Route> routes() {
        return front.routes();
    }

    public int port() {
        return http.actualPort();
    }

    /** Kafka Streams' metrics of the engine (RocksDB compaction figures among them). */
    public java.util.Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> engineMetrics() {
        return engine.kafkaMetrics();
    }

    /** Changelog records the engine restored into its stores since it started. */
    public long restoredRecords() {
        return engine.restoredRecords();
    }

    public TransactionQueries queries() {
        return engine.queries();
    }

    /** Stops taking requests first, then lets the engine finish and commit. */
    @Override
    public void close() {
        front.shutdown(http);
        Closeables.closeAll(metricBinders, dispatcher, waits, controlLog, engine, registry, broker, vertx::close);
    }
}
