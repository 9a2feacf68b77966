package io.sagalog.app.cluster;

import io.sagalog.compensators.Participant;
import io.sagalog.compensators.ParticipantWorker;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code sagalog dev --brokers N --engines M}: a KRaft cluster of N brokers and M engine instances, every one a
 * process of its own on loopback, started from the same jar as this one, with the demo participants running in this
 * process. Made to be broken: every process is listed with its pid, so anyone can {@code kill -9} one and watch.
 * Stopping this process (Ctrl-C, SIGTERM) stops every child.
 */
public final class DevCluster implements AutoCloseable {
    public static final String APPLICATION_ID = "sagalog-dev";

    /**
     * @param dir where the brokers and engines keep their data ({@code broker-<n>}, {@code engine-<n>})
     * @param kafkaPort 0 for free ports; else broker n listens on {@code kafkaPort + n - 1}
     * @param httpPort 0 for free ports; else engine n listens on {@code httpPort + n - 1}
     * @param tokensFile the bearer tokens every engine checks
     * @param secretFile the callback secret every engine shares
     * @param definition the demo definition's resource, written to a file for {@code --definition}
     */
    public record Spec(Path dir, int brokers, int engines, int kafkaPort, int httpPort, int partitions, Path tokensFile,
                       Path secretFile, String definitionResource, List<Participant> participants, List<String> engineArgs) {}

    private final BrokerCluster kafka;
    private final List<EngineInstance> engines;
    private final List<ParticipantWorker> workers;

    private DevCluster(BrokerCluster kafka, List<EngineInstance> engines, List<ParticipantWorker> workers) {
        this.kafka = kafka;
        this.engines = engines;
        this.workers = workers;
    }

    /** Starts everything and returns once every engine is ready; prints progress to {@code out}. */
    public static DevCluster start(Spec spec, PrintStream out) throws Exception {
        out.printf("  Kafka: %d KRaft brokers (separate JVMs) ... ", spec.brokers());
        out.flush();
        BrokerCluster kafka = BrokerCluster.start(spec.dir(), spec.brokers(), spec.kafkaPort(), Map.of(), "512m");
        out.println("ready at " + kafka.bootstrap());
        List<EngineInstance> engines = new ArrayList<>();
        List<ParticipantWorker> workers = new ArrayList<>();
        DevCluster cluster = new DevCluster(kafka, engines, workers);
        try {
            short factor = (short) Math.min(3, spec.brokers());
            try (Admin admin = kafka.admin()) {
                ClusterTopics.create(admin, spec.partitions(), factor,
                        spec.participants().stream().map(Participant::name).toList());
            }
            Path definition = spec.dir().resolve("demo-definition.json");
            try (InputStream in = DevCluster.class.getResourceAsStream(spec.definitionResource())) {
                Files.write(definition, in.readAllBytes());
            }
            for (int i = 1; i <= spec.engines(); i++) {
                int port = spec.httpPort() == 0 ? BrokerCluster.freePort() : spec.httpPort() + i - 1;
                engines.add(new EngineInstance(new EngineInstance.Settings("engine-" + i, kafka.bootstrap(),
                        spec.dir().resolve("engine-" + i), APPLICATION_ID, APPLICATION_ID + "-engine-" + i, port,
                        spec.partitions(), spec.secretFile(), spec.tokensFile(), List.of(definition), spec.engineArgs(),
                        "768m")));
            }
            out.printf("  Engines: %d instances (separate JVMs) ... ", spec.engines());
            out.flush();
            // The first registers the demo definition; the others find it registered.
            engines.get(0).start();
            engines.get(0).awaitReady(Duration.ofSeconds(180));
            engines.subList(1, engines.size()).forEach(EngineInstance::start);
            for (EngineInstance e : engines.subList(1, engines.size())) {
                e.awaitReady(Duration.ofSeconds(180));
            }
            out.println("ready");
            for (Participant p : spec.participants()) {
                workers.add(ParticipantWorker.start(p, kafka.bootstrap(),
                        Map.of("consumer.group.instance.id", "sagalog-dev-" + p.name())));
            }
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** One line per process: role, name, pid, ports, data directory and log. */
    public void printProcesses(PrintStream out) {
        out.printf("  %-7s %-9s %-8s %-34s %s%n", "ROLE", "NAME", "PID", "PORTS", "DATA DIR (log inside)");
        for (BrokerProcess b : kafka.brokers()) {
            out.printf("  %-7s %-9s %-8d %-34s %s%n", "broker", "broker-" + b.nodeId(), b.pid(),
                    "kafka " + b.port() + ", controller " + b.controllerPort(), b.dir());
        }
        for (EngineInstance e : engines) {
            out.printf("  %-7s %-9s %-8d %-34s %s%n", "engine", e.settings().name(), e.pid(), "http " + e.port(),
                    e.settings().dataDir().toAbsolutePath());
        }
        out.printf("  %-7s %-9s %-8d %-34s %s%n", "demo", "this", ProcessHandle.current().pid(), "-",
                "participants " + workers.size() + " (Kafka transport)");
    }

    /** Prints a line whenever a child process ends, so a kill is seen where the cluster was started. */
    public void reportExits(PrintStream out) {
        List<ChildProcess> all = new ArrayList<>();
        kafka.brokers().forEach(b -> all.add(b.process()));
        engines.forEach(e -> all.add(e.process()));
        for (ChildProcess c : all) {
            long pid = c.pid();
            CompletableFuture<Integer> exit = c.onExit();
            exit.thenAccept(code -> out.printf("%n%s (pid %d) exited with code %d; log: %s%n", c.name(), pid, code, c.log()));
        }
    }

    public BrokerCluster kafka() {
        return kafka;
    }

    public List<EngineInstance> engines() {
        return List.copyOf(engines);
    }

    /** Participants first, then the engines (SIGTERM: they leave their groups), then the brokers. */
    @Override
    public void close() {
        workers.forEach(ParticipantWorker::close);
        engines.parallelStream().forEach(EngineInstance::close);
        kafka.close();
    }
}
