package io.sagalog.app;

import io.sagalog.compensators.http.HttpDispatcher;
import io.sagalog.console.HealthApi;
import io.sagalog.console.MetricsApi;
import io.sagalog.engine.CallbackTokens;
import io.sagalog.engine.registry.Registry;
import io.sagalog.ingest.RegistryApi;
import io.sagalog.ingest.StepResultsApi;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.sagalog.engine.SagaEngine;
import io.sagalog.engine.TransactionQueries;
import io.sagalog.ingest.ControlLog;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sagalog.console.ClusterHealth;
import io.sagalog.console.EngineMetrics;
import io.sagalog.console.QueryApi;
import io.sagalog.ingest.IngestApi;
import io.sagalog.ingest.TransactionWaits;
import io.sagalog.ingest.auth.BearerAuth;
import io.sagalog.ingest.auth.Tokens;
import io.sagalog.ingest.KafkaControlLog;
import io.sagalog.ingest.ParticipantUrls;
import io.sagalog.ingest.LagAdmission;
import io.sagalog.ingest.Admission;
import io.sagalog.ingest.DeliveryAdmission;
import io.sagalog.ingest.Problem;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Sagalog process against a Kafka cluster: the engine, and ingest and console on one HTTP port.
 * {@code app} only wires; each part lives in its own module.
 */
public final class SagalogNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SagalogNode.class);

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
     */
    /** @param cluster replication, journal retention and standby replicas ({@link ClusterSettings#defaults()}) */
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

    private SagalogNode(SagaEngine engine, Registry registry, HttpDispatcher dispatcher, ControlLog controlLog, Vertx vertx,
                        HttpServer http, BrokerProbe broker, TransactionWaits waits, HttpFront front) {
        this.front = front;
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
        NodeAddress.problem(options.host(), options.advertisedUrl()).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        io.sagalog.health.ComponentHealth health = new io.sagalog.health.ComponentHealth();
        io.sagalog.schemas.KafkaClients kafka = options.engine().kafka();
        io.sagalog.schemas.TopicNames names = options.engine().topics();
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
        CompletableFuture<Registry> registryRead = CompletableFuture.supplyAsync(() -> {
            try {
                return Registry.start(kafka, names, Duration.ofSeconds(30), health, consumers);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading the registry", e);
            }
        });
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
        if (options.sharedSecret()) {
            // Checked before the engine joins its group: an instance with the wrong secret never takes partitions
            // from the healthy ones (it costs this start the registry read, which otherwise runs beside the join).
            try {
                SharedSecret.verify(registryRead.get(), options.engine().applicationId(), options.callbackSecret(),
                        address.baseUrl());
            } catch (Exception e) {
                vertx.close();
                registryRead.thenAccept(Registry::close);
                throw e instanceof java.util.concurrent.ExecutionException x && x.getCause() instanceof Exception c ? c : e;
            }
        }
        // Until the registry is read these wait for it; afterwards join() on the completed future returns at once.
        java.util.function.Supplier<io.sagalog.engine.DefinitionCatalog> definitions = () -> registryRead.join().definitions();
        java.util.function.Predicate<String> participantRegistered =
                participant -> registryRead.join().participant(participant).isPresent();
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        EngineMetrics engineMetrics = new EngineMetrics(meters, definitions);
        // Derived settings first, so that a test's or caller's own overrides still win.
        Map<String, Object> streams = NodeTopics.streamsSettings(topics.settings(), options.cluster(), kafka);
        streams.putAll(options.engine().overrides());
        streams.put(org.apache.kafka.streams.StreamsConfig.APPLICATION_SERVER_CONFIG, address.applicationServer());
        SagaEngine engine = SagaEngine.start(options.engine().withOverrides(streams),
                io.sagalog.engine.Registrations.of(definitions, participantRegistered), engineMetrics);
        Registry registry;
        try {
            registry = registryRead.get();
            BuiltInDefinitions.register(registry, options.definitions());
        } catch (Exception e) {
            engine.close();
            vertx.close();
            registryRead.thenAccept(Registry::close);
            throw e instanceof java.util.concurrent.ExecutionException x && x.getCause() instanceof Exception cause ? cause : e;
        }
        long registryReadAt = System.nanoTime();
        engineMetrics.bindGauges(engine.queries()::counts, engine::consumerLag);
        engineMetrics.bindStoreGauges(engine::storeSizes);
        BrokerProbe broker = new BrokerProbe(kafka);
        HttpLimits limits = options.limits();
        ControlLog controlLog = new KafkaControlLog(kafka, names, limits.requestTimeout(), limits.maxInFlightSubmits());
        CallbackTokens tokens = new CallbackTokens(options.callbackSecret());
        BearerAuth auth = options.tokens() == null ? BearerAuth.disabled() : new BearerAuth(options.tokens());
        HttpDispatcher dispatcher = null;
        TransactionWaits waits = null;
        try {
            // Every /v1 route is declared with its roles as it is mounted; an undeclared one is never reached.
            io.sagalog.ingest.auth.DeclaredRoutes routes = io.sagalog.ingest.auth.DeclaredRoutes.on(router, auth);
            new io.sagalog.console.ConsolePage().mount(router);
            waits = new TransactionWaits(vertx, kafka, names, health, consumers);
            LagAdmission lagAdmission = new LagAdmission(engine::consumerLag, limits.maxEngineLag());
            // Measured once a second on a worker, so a submit only reads the last measurement.
            vertx.setPeriodic(1_000, id -> vertx.executeBlocking(() -> {
                lagAdmission.refresh();
                engineMetrics.bindDeliveryDelays(engine.deliveryDelays());
                return null;
            }, false));
            Admission admission = Admission.all(lagAdmission,
                    new DeliveryAdmission(engine.deliveryDelays(), limits.maxDeliveryDelay()));
            new IngestApi(vertx, controlLog, registry::definitions, Clock.systemUTC(), waits, engine.queries(), admission,
                    limits.requestTimeout()).mount(routes);
            new QueryApi(vertx, engine.queries(), controlLog, Clock.systemUTC(), waits).mount(routes);
            new RegistryApi(vertx, registry, options.participantUrls()).mount(routes);
            new StepResultsApi(vertx, controlLog, engine.queries(), tokens, Clock.systemUTC()).mount(routes);
            HttpDispatcher[] dispatcherRef = new HttpDispatcher[1];
            new MetricsApi(() -> metrics(engine, dispatcherRef[0]), meters::scrape).mount(router);
            // Background loops restart themselves; readiness names the one that is not UP, the metric counts restarts.
            health.onComponent(component -> io.micrometer.core.instrument.FunctionCounter.builder(
                            "sagalog.component.restarts", health, h -> h.restarts(component))
                    .description("Restarts of a background loop after an unexpected failure").tag("component", component)
                    .register(meters));
            new HealthApi(Map.of("engine", () -> {
                KafkaStreams.State state = engine.state();
                return new HealthApi.Check(state.name(), state == KafkaStreams.State.RUNNING);
            }, "broker", () -> new HealthApi.Check(broker.state(), broker.reachable()),
                    "engine-stream-threads", () -> {
                        SagaEngine.StreamThreads threads = engine.streamThreads();
                        return new HealthApi.Check(threads.toString(), threads.allAlive());
                    },
                    Registry.COMPONENT, HealthApi.component(health, Registry.COMPONENT),
                    TransactionWaits.COMPONENT, HealthApi.component(health, TransactionWaits.COMPONENT),
                    HttpDispatcher.COMPONENT, HealthApi.component(health, HttpDispatcher.COMPONENT))).mount(router);
            new ClusterHealth(io.vertx.ext.web.client.WebClient.create(vertx), engine.queries()::instances,
                    engine.queries()::self, () -> engine.state() == KafkaStreams.State.RUNNING && broker.reachable(),
                    topics::problems)
                    .mount(router);
            RouterErrors.mount(router);
            dispatcher = HttpDispatcher.start(vertx, kafka, names, HttpDispatcher.Group.of(options.engine().applicationId(),
                    options.engine().instanceId()), registry::participants, tokens, address.callbackUrl(), health,
                    consumers);
            dispatcherRef[0] = dispatcher;
            front.open();
            engine.awaitStarted();
            // Where start-up time goes, for the time-to-recover measurement (docs/recovery.md).
            log.info("node started in {} ms (JVM up {} ms): topics checked {} ms, registry read (engine starting beside "
                    + "it) {} ms, engine RUNNING and HTTP up {} ms", ms(System.nanoTime() - t0),
                    java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime(), ms(topicsChecked - t0),
                    ms(registryReadAt - topicsChecked), ms(System.nanoTime() - registryReadAt));
            return new SagalogNode(engine, registry, dispatcher, controlLog, vertx, http, broker, waits, front);
        } catch (Exception e) {
            if (dispatcher != null) {
                dispatcher.close();
            }
            vertx.close();
            controlLog.close();
            engine.close();
            registry.close();
            broker.close();
            if (waits != null) {
                waits.close();
            }
            throw e;
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static List<MetricsApi.Sample> metrics(SagaEngine engine, HttpDispatcher dispatcher) {
        List<MetricsApi.Sample> samples = new java.util.ArrayList<>();
        samples.add(new MetricsApi.Sample("sagalog_engine_running", "1 when the engine is RUNNING", Map.of(),
                engine.state() == KafkaStreams.State.RUNNING ? 1 : 0));
        if (dispatcher != null) {
            dispatcher.status().forEach((participant, s) -> {
                for (String state : List.of("CLOSED", "OPEN", "HALF_OPEN", "FORCED_OPEN")) {
                    samples.add(new MetricsApi.Sample("sagalog_participant_circuit_state",
                            "1 for the circuit breaker state each HTTP participant is in",
                            Map.of("participant", participant, "state", state), state.equals(s.get("breaker")) ? 1 : 0));
                }
                samples.add(new MetricsApi.Sample("sagalog_participant_in_flight", "HTTP calls in flight per participant",
                        Map.of("participant", participant), ((Number) s.get("inFlight")).doubleValue()));
                samples.add(new MetricsApi.Sample("sagalog_participant_queued",
                        "HTTP calls waiting for a free slot (bulkhead) per participant",
                        Map.of("participant", participant), ((Number) s.get("queued")).doubleValue()));
            });
        }
        return samples;
    }

    public Registry registry() {
        return registry;
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
        front.closeGate();
        try {
            // Requests already in progress get up to the request timeout to finish; new ones get 503 meanwhile.
            http.shutdown(front.requestTimeout()).toCompletionStage().toCompletableFuture().get();
        } catch (Exception e) {
            log.warn("closing the HTTP server: {}", e.toString());
        }
        dispatcher.close();
        waits.close();
        controlLog.close();
        engine.close();
        registry.close();
        broker.close();
        vertx.close();
    }
}
