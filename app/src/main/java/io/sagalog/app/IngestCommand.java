package io.sagalog.app;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code sagalog ingest}: a stateless HTTP front end in front of the engine instances of one deployment. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Run a stateless HTTP front end: it takes submits (and ?wait) itself and passes reads, operator "
                + "actions, step-result callbacks and registry calls to the engine instances. No Kafka Streams, no "
                + "local state: run as many as the request rate needs.")
public final class IngestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ApiOptions options;

    @Mixin
    LogOptions logs;

    @Mixin
    io.sagalog.app.config.ConfigOption config;

    @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers, e.g. localhost:9092.")
    String bootstrap;

    @Option(names = "--engine-url", required = true, paramLabel = "URL", split = ",",
            description = "Where the engine instances answer HTTP, e.g. http://sagalog-engine:8080 (a Service in front "
                    + "of them) or each instance's own URL; repeatable. Requests go to each in turn; one that refuses "
                    + "the connection is skipped.")
    List<String> engineUrls = new ArrayList<>();

    @Option(names = "--no-auth", description = "Take submits without bearer tokens: only where nothing untrusted can reach the port.")
    boolean noAuth;

    @Override
    public Integer call() throws Exception {
        logs.apply(spec.commandLine());
        java.util.Optional<String> addressProblem = options.addressProblem();
        if (addressProblem.isPresent()) {
            spec.commandLine().getErr().println("sagalog ingest: " + addressProblem.get());
            return CommandLine.ExitCode.USAGE;
        }
        if (options.tokens == null && !noAuth) {
            throw new ParameterException(spec.commandLine(), "pass --tokens FILE (one '<token> <role>[,<role>...]' a "
                    + "line; roles viewer, operator, submitter) or, where nothing untrusted can reach the port, --no-auth");
        }
        List<io.sagalog.engine.TransactionQueries.Endpoint> engines;
        try {
            engines = EngineInstances.parse(engineUrls);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        io.sagalog.http.auth.Tokens tokens = options.tokens == null ? null
                : io.sagalog.http.auth.Tokens.load(options.tokens);
        io.sagalog.schemas.KafkaClients kafka = options.kafkaClients(this, bootstrap);
        HttpLimits limits = options.httpLimits();
        StartFailures.requireFreePort(options.host, options.port);
        StartFailures.preflight(kafka);
        IngestNode node = IngestNode.start(new IngestNode.Options(kafka,
                ApiOptions.topicNames(spec.commandLine(), options.topicPrefix), options.host, options.port, engines,
                tokens, limits, options.advertisedUrl));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "sagalog-shutdown"));
        org.slf4j.LoggerFactory.getLogger(IngestCommand.class).info("Sagalog {} ingest front end started: HTTP on {}:{}; "
                + "Kafka {}; engines {}", SagalogCli.VERSION, options.host, node.port(), kafka.bootstrapServers(), engines);
        // One machine-readable line first: scripts and tests wait for it.
        System.out.println("sagalog ingest ready http=" + options.host + ":" + node.port() + " engines=" + engines);
        System.out.flush();
        stopped.await();
        return 0;
    }
}
