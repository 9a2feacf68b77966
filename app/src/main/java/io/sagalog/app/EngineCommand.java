package io.sagalog.app;

import io.sagalog.engine.Definition;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sagalog engine}: the engine with ingest and console HTTP, against an existing Kafka cluster. */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = "Run the engine, ingest and console HTTP against an existing Kafka cluster. "
                + "Start several with the same --application-id to spread the partitions.")
public final class EngineCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions options;

    @Mixin
    LogOptions logs;

    @Mixin
    io.sagalog.app.config.ConfigOption config;

    @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers, e.g. localhost:9092.")
    String bootstrap;

    @Option(names = "--data-dir", defaultValue = ".sagalog/engine", description = "Where the engine keeps its local state (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--application-id", defaultValue = "sagalog-engine", description = "Kafka Streams application id; instances with the same id share the work (default: ${DEFAULT-VALUE}).")
    String applicationId;

    @Option(names = "--instance-id", description = "A stable name for this instance: after a restart it takes its partitions back at once (Kafka static membership).")
    String instanceId;

    @Option(names = "--definition", paramLabel = "FILE", split = ",", description = "A definition as JSON, registered at start unless the registry has it already; repeat (or separate by commas) for more. "
            + "Without any, the engine runs the definitions registered over HTTP (PUT /v1/definitions/{name}).")
    List<Path> definitionFiles = new ArrayList<>();

    @Option(names = "--callback-secret-file", paramLabel = "FILE", description = "Base64 secret (32+ bytes) that signs callback tokens; every instance of an application id needs the same "
            + "one (checked at start by its fingerprint in the registry). Created, mode 600, when missing "
            + "(default: <data-dir>/callback-secret).")
    Path callbackSecretFile;

    @Option(names = "--no-auth", description = "Serve HTTP without bearer tokens: only where nothing untrusted can reach the port.")
    boolean noAuth;

    @Override
    public Integer call() throws Exception {
        logs.apply(spec.commandLine());
        java.util.Optional<String> addressProblem = options.addressProblem();
        if (addressProblem.isPresent()) {
            // One line and exit code 2, before anything starts: a usage error, not a failure.
            spec.commandLine().getErr().println("sagalog engine: " + addressProblem.get());
            return picocli.CommandLine.ExitCode.USAGE;
        }
        if (options.tokens == null && !noAuth) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "pass --tokens FILE (one '<token> <role>[,<role>...]' a line; roles viewer, operator, submitter) "
                            + "or, where nothing untrusted can reach the port, --no-auth");
        }
        io.sagalog.http.auth.Tokens tokens = options.tokens == null ? null
                : io.sagalog.http.auth.Tokens.load(options.tokens);
        DefinitionCatalog definitions = DefinitionCatalog.of(loadDefinitions());
        EngineConfig config = new EngineConfig(options.kafkaClients(this, bootstrap), applicationId, instanceId, stateDir, options.processingGuarantee.name(), 1,
                EngineConfig.defaults(bootstrap, stateDir).commitInterval(), java.util.Map.of(),
                NodeOptions.topicNames(spec.commandLine(), options.topicPrefix)).withRetention(options.retention.retention(this));
        HttpLimits limits = options.httpLimits();
        StartFailures.requireFreePort(options.host, options.port);
        StartFailures.preflight(config.kafka());
        byte[] secret = NodeOptions.callbackSecret(callbackSecretFile != null ? callbackSecretFile : stateDir.resolve("callback-secret"));
        SagalogNode node;
        try {
            node = SagalogNode.start(new SagalogNode.Options(config, options.host, options.port, options.partitions,
                    definitions, secret, tokens, options.participantUrls(this, java.util.List.of()))
                    .withLimits(limits).withIdentity(options.advertisedUrl, true)
                    .withCluster(options.cluster(this)));
        } catch (SharedSecret.Mismatch e) {
            spec.commandLine().getErr().println("sagalog engine: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "sagalog-shutdown"));
        // One machine-readable line first: scripts and tests wait for it.
        System.out.println("sagalog engine ready http=" + options.host + ":" + node.port() + " definitions=" + definitions.names());
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** The --definition files; none is none (the trip-booking demo belongs to {@code sagalog dev}). */
    List<Definition> loadDefinitions() {
        return DefinitionFiles.load(spec.commandLine(), definitionFiles);
    }
}
