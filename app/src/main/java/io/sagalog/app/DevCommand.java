package io.sagalog.app;

import io.sagalog.app.demo.TripBooking;
import io.sagalog.compensators.Participant;
import io.sagalog.compensators.ParticipantWorker;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.sagalog.http.auth.Role;
import io.sagalog.http.auth.Tokens;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sagalog dev}: everything in one process, on an embedded single-node Kafka, with a demo domain. */
@Command(name = "dev", mixinStandardHelpOptions = true,
        description = "Run an embedded Kafka (KRaft), the engine, ingest and console HTTP, and the trip-booking demo in one process.")
public final class DevCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    NodeOptions options;

    @Mixin
    LogOptions logs;

    @Mixin
    io.sagalog.app.config.ConfigOption config;

    @Option(names = "--data-dir", defaultValue = ".sagalog", description = "Where Kafka and engine keep their data (default: ./${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--kafka-port", defaultValue = "0", description = "Port of the embedded Kafka broker; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--brokers", defaultValue = "1", paramLabel = "N",
            description = "Kafka brokers; more than 1 runs a KRaft cluster of N separate JVMs on loopback, the engines "
                    + "separate JVMs too, with --kafka-port and --port as the first of consecutive ports (default: ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--engines", defaultValue = "1", paramLabel = "N",
            description = "Engine instances; more than 1 runs each as a separate JVM (default: ${DEFAULT-VALUE}).")
    int engines;

    private String tokensSource;

    /**
     * The tokens of this dev instance: {@code --tokens FILE} if given; else the ones generated on an earlier start
     * (kept in the data directory, so scripts keep working across restarts); else new ones, saved there.
     */
    Tokens devTokens() throws java.io.IOException {
        if (options.tokens != null) {
            tokensSource = "from " + options.tokens;
            return Tokens.load(options.tokens);
        }
        Path saved = dataDir.resolve("tokens");
        if (java.nio.file.Files.exists(saved)) {
            tokensSource = "kept in " + saved.toAbsolutePath().normalize();
            return Tokens.load(saved);
        }
        Tokens generated = Tokens.generate();
        PrivateFiles.create(saved, generated.toFileText());
        tokensSource = "generated, kept in " + saved.toAbsolutePath().normalize();
        return generated;
    }

    @Override
    public Integer call() throws Exception {
        logs.apply(spec.commandLine());
        java.util.Optional<String> addressProblem = options.addressProblem();
        if (addressProblem.isPresent()) {
            // One line and exit code 2, before anything starts: a usage error, not a failure.
            spec.commandLine().getErr().println("sagalog dev: " + addressProblem.get());
            return picocli.CommandLine.ExitCode.USAGE;
        }
        if (brokers < 1 || engines < 1) {
            spec.commandLine().getErr().println("sagalog dev: --brokers and --engines must be at least 1");
            return picocli.CommandLine.ExitCode.USAGE;
        }
        if (brokers > 1 || engines > 1) {
            return runCluster();
        }
        // Everything a person can get wrong is checked before the embedded broker starts, so that it is told at once.
        HttpLimits limits = options.httpLimits();
        ClusterSettings cluster = options.cluster(this);
        var retention = options.retention.retention(this);
        StartFailures.requireFreePort(options.host, options.port);
        Tokens tokens = devTokens();
        PrintStream out = System.out;
        long started = System.nanoTime();
        out.printf("Starting Sagalog dev (data in %s)...%n", dataDir.toAbsolutePath().normalize());
        out.print("  Kafka (embedded KRaft) ... ");
        out.flush();
        EmbeddedKafka kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), kafkaPort, Map.of());
        out.println("ready at " + kafka.bootstrapServers());

        TripBooking demo = new TripBooking();
        DefinitionCatalog definitions = DefinitionCatalog.of(List.of(TripBooking.definition()));
        // A fixed instance id (static membership): after a restart, even after kill -9, the engine takes its
        // partitions back at once instead of waiting for the old session to expire.
        io.sagalog.schemas.KafkaClients clients = options.kafkaClients(this, kafka.bootstrapServers());
        EngineConfig engineConfig = EngineConfig.defaults(clients, dataDir.resolve("engine"))
                .withInstanceId("sagalog-dev-engine")
                .withProcessingGuarantee(options.processingGuarantee.name())
                .withTopics(NodeOptions.topicNames(new picocli.CommandLine(this), options.topicPrefix))
                .withRetention(retention);
        out.print("  Engine and HTTP ......... ");
        out.flush();
        SagalogNode node;
        try {
            node = SagalogNode.start(new SagalogNode.Options(engineConfig, options.host, options.port, options.partitions, definitions,
                    NodeOptions.callbackSecret(dataDir.resolve("callback-secret")), tokens,
                    options.participantUrls(this, io.sagalog.ingest.ParticipantUrls.LOOPBACK)).withLimits(limits)
                    .withIdentity(options.advertisedUrl, false).withCluster(cluster));
        } catch (Exception e) {
            kafka.close();
            throw e;
        }
        out.println("ready");
        List<ParticipantWorker> workers = new ArrayList<>();
        for (Participant p : demo.participants()) {
            workers.add(ParticipantWorker.start(p, clients, engineConfig.topics(),
                    Map.of("consumer.group.instance.id", "sagalog-dev-" + p.name()), io.sagalog.health.ConsumerFactory.KAFKA,
                    new io.sagalog.health.ComponentHealth()));
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println();
            out.println("Stopping Sagalog dev...");
            node.close();
            workers.forEach(ParticipantWorker::close);
            kafka.close();
            out.println("Stopped. Data kept in " + dataDir.toAbsolutePath().normalize() + "; start again to resume.");
            stopped.countDown();
        }, "sagalog-shutdown"));

        String base = options.advertisedUrl != null ? options.advertisedUrl.replaceAll("/+$", "")
                : NodeAddress.of(options.host, node.port(), null).baseUrl();
        out.printf("%nSagalog dev is running (started in %.1f s)%n", (System.nanoTime() - started) / 1e9);
        out.printf("  HTTP (ingest, console)   %s%n", base);
        out.printf("  Kafka bootstrap          %s%n", kafka.bootstrapServers());
        out.printf("  Engine state             %s%n", dataDir.resolve("engine").toAbsolutePath().normalize());
        out.printf("  Demo definition          %s: flights.reserve/cancel -> hotels.reserve/cancel -> payments.charge/refund%n",
                TripBooking.DEFINITION);
        out.printf("  Console                  %s/console%n", base);
        out.println();
        printUsage(out, base, tokens);
        out.println("Press Ctrl-C to stop.");
        stopped.await();
        return 0;
    }

    /** {@code --brokers N --engines M}: every broker and engine a process of its own ({@link io.sagalog.app.cluster.DevCluster}). */
    private Integer runCluster() throws Exception {
        PrintStream out = System.out;
        long started = System.nanoTime();
        Path dir = dataDir.resolve("cluster");
        out.printf("Starting Sagalog dev cluster: %d brokers, %d engines (data in %s)...%n", brokers, engines,
                dir.toAbsolutePath().normalize());
        Tokens tokens = devTokens();
        Path tokensFile = options.tokens != null ? options.tokens : dataDir.resolve("tokens");
        Path secretFile = dataDir.resolve("callback-secret");
        NodeOptions.callbackSecret(secretFile); // created once, mode 600; every engine reads the same file
        java.util.List<String> engineArgs = new java.util.ArrayList<>(java.util.List.of(
                "--participant-allow=127.0.0.1/32", "--processing-guarantee=" + options.processingGuarantee.name()));
        options.participantAllow.forEach(cidr -> engineArgs.add("--participant-allow=" + cidr));
        engineArgs.addAll(options.retention.asArgs());
        io.sagalog.app.cluster.DevCluster cluster = io.sagalog.app.cluster.DevCluster.start(
                new io.sagalog.app.cluster.DevCluster.Spec(dir.toAbsolutePath(), brokers, engines, kafkaPort, options.port,
                        options.partitions, tokensFile, secretFile, "/io/sagalog/app/demo/trip-booking.json",
                        new TripBooking().participants(), engineArgs), out);
        CountDownLatch stopped = new CountDownLatch(1);
        // Not a hook of its own: the JVM runs hooks side by side, and the children's reaper would kill them first.
        io.sagalog.app.cluster.ChildProcess.beforeReaping(() -> {
            out.println();
            out.println("Stopping Sagalog dev cluster...");
            cluster.close();
            out.println("Stopped. Data kept in " + dir.toAbsolutePath().normalize() + "; start again to resume.");
            stopped.countDown();
        });
        out.printf("%nSagalog dev cluster is running (started in %.1f s)%n", (System.nanoTime() - started) / 1e9);
        cluster.printProcesses(out);
        out.printf("  Kafka bootstrap   %s%n", cluster.kafka().bootstrap());
        out.printf("  Topics            replication factor %d, min.insync.replicas %d%n", Math.min(3, brokers),
                Math.min(3, brokers) >= 3 ? 2 : 1);
        out.println();
        String base = cluster.engines().get(0).baseUrl();
        printUsage(out, base, tokens);
        out.println("Any engine answers for every transaction. Break something and watch:");
        out.println("  kill -9 <pid>              a broker or an engine (the others take over)");
        out.println("  kill -STOP <pid>; kill -CONT <pid>   freeze and thaw one");
        out.printf("  curl -s -H 'Authorization: Bearer <viewer token>' %s/health/cluster%n", base);
        out.println();
        out.println("Press Ctrl-C to stop every process.");
        cluster.reportExits(out);
        stopped.await();
        return 0;
    }

    private void printUsage(PrintStream out, String base, Tokens tokens) {
        Map<Role, String> first = tokens.firstTokenPerRole();
        out.printf("Bearer tokens (%s; fix your own with --tokens FILE):%n", tokensSource);
        for (Role role : Role.values()) {
            if (first.containsKey(role)) {
                out.printf("  %-9s %s%n", role.wireName(), first.get(role));
            }
        }
        out.println();
        out.println("Submit a transaction:");
        out.printf("  curl -s -X POST %s/v1/transactions -H 'Content-Type: application/json' \\%n", base);
        out.printf("       -H 'Authorization: Bearer %s' \\%n", first.getOrDefault(Role.SUBMITTER, "<submitter token>"));
        out.println("       -d '{\"definition\":\"trip-booking\",\"input\":{\"traveller\":\"Ada\",\"from\":\"OSL\",\"to\":\"LIS\"}}'");
        out.println("Read it back (txId from the answer):");
        out.printf("  curl -s -H 'Authorization: Bearer %s' %s/v1/transactions/<txId>%n",
                first.getOrDefault(Role.SUBMITTER, "<submitter token>"), base);
        out.println("Make payments reject it and watch the rollback: add \"failAt\":\"payments\" to the input.");
        out.println();
    }
}
