package io.sagalog.bench;

import io.sagalog.compensators.Participant;
import io.sagalog.compensators.ParticipantWorker;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.SagalogTopics;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sagalog bench}: measures Sagalog the way its users meet it. It starts what it needs (an embedded broker
 * unless {@code --bootstrap} names a cluster), puts load on ingest over HTTP like real clients do, and reports,
 * per configuration (workload x mode x clients or rate x guarantee), throughput, latency from submit to the final
 * answer, Kafka writes per transaction and CPU per component; and, measured first on the same broker, what bare
 * Kafka, Kafka Streams and Vert.x building blocks achieve, with Sagalog's figures as ratios to them, because on a
 * small shared machine the ratios carry over to other machines and the absolute numbers do not.
 *
 * <p>This class only wires: the options are checked by {@link BenchOptions}, workloads are {@link Workload}s, a
 * configuration is measured by {@link BenchRun}, baselines by {@link BaselineSuite}, and the summary is written by
 * {@link SummaryTable}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure Sagalog's throughput, latency and cost over HTTP, beside baselines of Kafka, Kafka "
                + "Streams and Vert.x on the same broker.",
                "Workloads: S3 (3 no-op steps, 1 KB input), S3-comp (S3 with 20%% failing at step 3, so 2 "
                        + "compensations run), S3-11KB (11 KB input), S10 (10 steps)."})
public final class BenchCommand implements Callable<Integer> {
    /** Client-id prefix of the participants' Kafka clients, so their network threads count as participants. */
    static final String PARTICIPANT_CLIENT_PREFIX = "bench-participant-";

    private final NodeLauncher launcher;

    @Spec
    CommandSpec spec;

    @Option(names = "--workload", paramLabel = "LIST",
            description = "Workloads, comma-separated: S3, S3-comp, S3-11KB, S10 (default: S3).")
    String workload;

    @Option(names = "--steps", paramLabel = "N", description = "Alias for --workload S<N> (S3 or S10).")
    Integer steps;

    @Option(names = "--mode", defaultValue = "closed",
            description = "closed (clients each waiting for their answer: finds the saturation point), open (fixed "
                    + "arrival rate, latency corrected for coordinated omission) or both (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--rate", defaultValue = "500", paramLabel = "LIST",
            description = "Open-loop arrival rates per second, comma-separated (default: ${DEFAULT-VALUE}).")
    String rate;

    @Option(names = "--clients", defaultValue = "16", paramLabel = "LIST",
            description = "Closed-loop concurrent clients, comma-separated (default: ${DEFAULT-VALUE}).")
    String clients;

    @Option(names = "--guarantee", defaultValue = "at_least_once", paramLabel = "LIST",
            description = "at_least_once, exactly_once_v2, both, or a comma-separated list (measured in that order; "
                    + "default: ${DEFAULT-VALUE}).")
    String guarantee;

    @Option(names = "--duration", description = "Measured time per configuration (default: 20s; 10s with --quick).")
    String duration;

    @Option(names = "--warmup", description = "Unmeasured load before each measurement (default: 5s).")
    String warmup;

    @Option(names = "--quick", description = "Smoke-run preset: 5s warmup, 10s measured (explicit options win).")
    boolean quick;

    @Option(names = "--baselines", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Measure the producer, Streams pass-through and Vert.x append baselines first (default: "
                    + "on; --no-baselines to skip).")
    boolean baselines;

    @Option(names = "--out", paramLabel = "DIR", description = "Write bench-<timestamp>.json, .csv, -baselines.csv "
            + "and -latency.svg into DIR (default: no files).")
    Path out;

    @Option(names = "--bootstrap", description = "Use this Kafka cluster instead of an embedded broker.")
    String bootstrap;

    @Option(names = "--data-dir", description = "Where the embedded broker and engines keep data (default: a "
            + "temporary directory, removed at the end).")
    Path dataDir;

    @Option(names = "--jvm-warmup", defaultValue = "30s", paramLabel = "DURATION",
            description = "Before the first configuration of each workload, drive a throwaway engine this long "
                    + "(64 closed-loop clients, not measured) so the JIT has compiled the hot code; 0s to skip "
                    + "(default: ${DEFAULT-VALUE}).")
    String jvmWarmup;

    @Option(names = "--prefill", defaultValue = "0", paramLabel = "LIST",
            description = "Finished transactions to put into the engine's stores before measuring, comma-separated; "
                    + "0,1000000 shows whether latency stays flat as the stores grow (default: ${DEFAULT-VALUE}).")
    String prefill;

    public BenchCommand(NodeLauncher launcher) {
        this.launcher = launcher;
    }

    private java.time.Duration jitWarmup() {
        try {
            return BenchOptions.duration("--jvm-warmup", jvmWarmup, true);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The options, checked; IllegalArgumentException with a message for the user if they are wrong. */
    BenchOptions options() {
        return BenchOptions.parse(workload, steps, mode, rate, clients, guarantee, warmup, duration, quick, baselines,
                out, bootstrap, dataDir, prefill);
    }

    @Override
    public Integer call() throws Exception {
        BenchOptions o;
        try {
            o = options();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        java.time.Duration jitWarmup = jitWarmup();
        PrintStream stdout = System.out;
        String command = commandLine(spec == null ? List.of() : spec.commandLine().getParseResult().originalArgs());
        LocalDateTime started = LocalDateTime.now();
        boolean temporary = o.dataDir() == null;
        Path dir = temporary ? Files.createTempDirectory("sagalog-bench") : o.dataDir();
        List<MeasuredBaseline> baselineResults = List.of();
        List<BenchRun.Outcome> outcomes = new ArrayList<>();
        List<String> notMeasured = new ArrayList<>();
        NodeLauncher.Broker kafka = null;
        Vertx clientVertx = null;
        String broker;
        try {
            String servers = o.bootstrap();
            if (servers == null) {
                stdout.print("Starting embedded Kafka... ");
                kafka = launcher.startBroker(dir.resolve("kafka"));
                servers = kafka.bootstrapServers();
                stdout.println(servers);
                broker = "embedded broker (1 node, in this JVM)";
            } else {
                broker = "Kafka at " + servers;
            }
            DefinitionCatalog catalog = DefinitionCatalog.of(o.workloads().stream().map(Workload::definition).toList());
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                    AdminClientConfig.CLIENT_ID_CONFIG, "bench-admin"))) {
                // Step topics exist before any participant subscribes or any engine starts.
                SagalogTopics.ensure(admin, catalog, BenchRun.PARTITIONS, (short) 1);
                if (o.baselines()) {
                    baselineResults = BaselineSuite.run(servers, o, stdout);
                }
                clientVertx = SubmitClient.clientVertx();
                BenchRun runner = new BenchRun(launcher, servers, admin, catalog, dir, clientVertx, o, stdout);
                for (Workload w : o.workloads()) {
                    List<ParticipantWorker> workers = startParticipants(w, servers);
                    try {
                        if (!jitWarmup.isZero()) {
                            // Without this the first configuration runs while C2 still compiles (seen as several
                            // CPU-seconds of "jvm" in its window) and its figures are those of a cold JVM.
                            stdout.printf("%nJIT warm-up: %s closed loop, 64 clients, %d s, not measured%n", w.label(),
                                    jitWarmup.toSeconds());
                            Configuration warm = Configuration.closed(w, 64, o.guarantees().get(0));
                            new BenchRun(launcher, servers, admin, catalog, dir, clientVertx, o.withWindows(jitWarmup,
                                    java.time.Duration.ofSeconds(2)), stdout).measure(warm);
                        }
                        for (Configuration c : o.configurations()) {
                            if (c.workload() != w) {
                                continue;
                            }
                            try {
                                outcomes.add(runner.measure(c));
                            } catch (InterruptedException e) {
                                throw e;
                            } catch (Exception e) {
                                stdout.printf("%s failed, not measured: %s%n", c.label(), e);
                                notMeasured.add(c.label() + ": " + e);
                            }
                        }
                    } finally {
                        workers.forEach(ParticipantWorker::close);
                    }
                }
            }
        } finally {
            if (clientVertx != null) {
                clientVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            if (kafka != null) {
                kafka.close();
            }
            if (temporary) {
                try {
                    BaselineSupport.deleteRecursively(dir);
                } catch (RuntimeException e) {
                    stdout.println("(could not remove " + dir + ": " + e.getMessage() + ")");
                }
            }
        }

        String date = OffsetDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String summary = SummaryTable.render(BenchReport.heading(o, broker, started), BenchReport.rows(outcomes), baselineResults,
                o.baselineWarmup().toSeconds() + " s warmup, " + o.baselineDuration().toSeconds() + " s measured",
                command, date);
        if (!notMeasured.isEmpty()) {
            summary += "\nNot measured:\n" + notMeasured.stream().map(n -> "- " + n + "\n").collect(Collectors.joining());
        }
        stdout.println();
        stdout.print(summary);
        if (o.out() != null) {
            BenchReport.writeFiles(stdout, o, started, command, broker, outcomes, baselineResults);
        }
        return notMeasured.isEmpty() ? 0 : 1;
    }

    /** One worker per step, with client ids that {@link ComponentCpu} can attribute (see {@link BenchRun#hints}). */
    private static List<ParticipantWorker> startParticipants(Workload w, String servers) {
        List<ParticipantWorker> workers = new ArrayList<>();
        for (Participant p : w.participants()) {
            workers.add(ParticipantWorker.start(p, servers, Map.of(
                    "consumer.client.id", PARTICIPANT_CLIENT_PREFIX + p.name() + "-consumer",
                    "producer.client.id", PARTICIPANT_CLIENT_PREFIX + p.name() + "-producer")));
        }
        return workers;
    }

    /**
     * The command line as typed after {@code sagalog}: {@code sagalog bench --workload S3 ...}, arguments with
     * spaces or quotes quoted, so it can be pasted back into a shell.
     */
    static String commandLine(List<String> args) {
        List<String> rest = new ArrayList<>(args);
        if (!rest.isEmpty() && rest.get(0).equals("bench")) {
            rest.remove(0);
        }
        StringBuilder s = new StringBuilder("sagalog bench");
        for (String a : rest) {
            s.append(' ').append(a.matches("[A-Za-z0-9_./,=:@%+-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return s.toString();
    }
}
