package io.sagalog.app;

import io.sagalog.console.HealthApi;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.sagalog.engine.SagaEngine;
import io.sagalog.engine.SagalogTopics;
import io.sagalog.engine.TransactionQueries;
import io.sagalog.ingest.ControlLog;
import io.sagalog.ingest.IngestApi;
import io.sagalog.ingest.KafkaControlLog;
import io.sagalog.ingest.Problem;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
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
     */
    public record Options(EngineConfig engine, String host, int port, int partitions, DefinitionCatalog definitions) {}

    private final SagaEngine engine;
    private final ControlLog controlLog;
    private final Vertx vertx;
    private final HttpServer http;
    private final List<String> createdTopics;

    private SagalogNode(SagaEngine engine, ControlLog controlLog, Vertx vertx, HttpServer http, List<String> createdTopics) {
        this.engine = engine;
        this.controlLog = controlLog;
        this.vertx = vertx;
        this.http = http;
        this.createdTopics = createdTopics;
    }

    /** Creates missing topics, starts the engine and the HTTP server, and returns once the engine is RUNNING. */
    public static SagalogNode start(Options options) throws Exception {
        String bootstrap = options.engine().bootstrapServers();
        List<String> created;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            created = SagalogTopics.ensure(admin, options.definitions(), options.partitions(), (short) 1);
        }
        SagaEngine engine = SagaEngine.start(options.engine(), options.definitions());
        ControlLog controlLog = new KafkaControlLog(bootstrap, Duration.ofSeconds(10));
        Vertx vertx = Vertx.vertx();
        try {
            Router router = Router.router(vertx);
            new IngestApi(vertx, controlLog, options::definitions, engine.queries(), Clock.systemUTC()).mount(router);
            new HealthApi(Map.of("engine", () -> {
                KafkaStreams.State state = engine.state();
                return new HealthApi.Check(state.name(), state == KafkaStreams.State.RUNNING);
            })).mount(router);
            router.errorHandler(404, ctx -> Problem.notFound("there is no endpoint " + ctx.request().method() + " "
                    + ctx.request().path() + "; the API is described in README.md").send(ctx));
            router.errorHandler(405, ctx -> Problem.methodNotAllowed(ctx.request().method().name(),
                    ctx.request().path()).send(ctx));
            router.errorHandler(500, ctx -> {
                log.error("request {} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
                Problem.internal().send(ctx);
            });
            HttpServer http = vertx.createHttpServer().requestHandler(router).listen(options.port(), options.host())
                    .toCompletionStage().toCompletableFuture().get();
            if (!engine.awaitRunning(Duration.ofSeconds(120))) {
                throw new IllegalStateException("the engine did not reach RUNNING within 120 s (state " + engine.state() + ")");
            }
            return new SagalogNode(engine, controlLog, vertx, http, created);
        } catch (Exception e) {
            vertx.close();
            controlLog.close();
            engine.close();
            throw e;
        }
    }

    public int port() {
        return http.actualPort();
    }

    public TransactionQueries queries() {
        return engine.queries();
    }

    public List<String> createdTopics() {
        return createdTopics;
    }

    /** Stops taking requests first, then lets the engine finish and commit. */
    @Override
    public void close() {
        try {
            http.close().toCompletionStage().toCompletableFuture().get();
        } catch (Exception e) {
            log.warn("closing the HTTP server: {}", e.toString());
        }
        controlLog.close();
        engine.close();
        vertx.close();
    }
}
