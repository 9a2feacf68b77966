package io.sagalog.bench;

import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sagalog bench-overload}: shows what load beyond capacity does. Each run finds the capacity with a closed
 * loop, then drives an open loop at half of it, at twice it (by default) for two minutes, and at half again, and
 * checks the promise: nothing accepted is lost or parked, every accepted transaction ends, what cannot be served is
 * refused at the door (503 {@code overloaded}), and throughput is back to normal soon after the overload.
 */
@Command(name = "bench-overload", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Drive Sagalog past its capacity, then below it, on an embedded broker: prints the capacity, "
                + "what was accepted and refused each phase, how every accepted transaction ended, how long "
                + "throughput took to recover, and the CPU by component. Exit code 1 when a transaction of a run with "
                + "admission was lost, parked or left unfinished."})
public final class OverloadBenchCommand implements Callable<Integer> {

    /** What the runs share. */
    record Settings(int probeClients, Duration warmup, Duration probe, Duration before, Duration over, Duration after,
                    double factor, int serviceMillis) {}

    private static final String NO_ADMISSION = "-no-admission";

    private final NodeLauncher launcher;

    @Spec
    CommandSpec spec;

    @Option(names = "--runs", defaultValue = "java,http", split = ",", paramLabel = "LIST",
            description = "Runs in this order: java (Java SDK no-op workers: the engine saturates), http (one HTTP "
                    + "participant, 16 calls at a time: it saturates); with the suffix -no-admission the node runs "
                    + "with --max-delivery-delay 0 (no delivery admission), the baseline; repeat to alternate "
                    + "(default: ${DEFAULT-VALUE}).")
    List<String> runs;

    @Option(names = "--factor", defaultValue = "2", description = "Overload as a multiple of the capacity (default: ${DEFAULT-VALUE}).")
    double factor;

    @Option(names = "--over", defaultValue = "120", paramLabel = "SECONDS", description = "Length of the overload (default: ${DEFAULT-VALUE}).")
    int over;

    @Option(names = "--before", defaultValue = "30", paramLabel = "SECONDS", description = "Half capacity before it (default: ${DEFAULT-VALUE}).")
    int before;

    @Option(names = "--after", defaultValue = "60", paramLabel = "SECONDS", description = "Half capacity after it (default: ${DEFAULT-VALUE}).")
    int after;

    @Option(names = "--probe", defaultValue = "20", paramLabel = "SECONDS",
            description = "Closed-loop capacity probe, after as long a warm-up (default: ${DEFAULT-VALUE}).")
    int probe;

    @Option(names = "--probe-clients", defaultValue = "256", description = "Clients of the probe (default: ${DEFAULT-VALUE}).")
    int probeClients;

    @Option(names = "--service-time", defaultValue = "20", paramLabel = "MILLIS",
            description = "How long the HTTP participant takes per call (default: ${DEFAULT-VALUE}).")
    int serviceMillis;

    @Option(names = "--out", paramLabel = "DIR", description = "Also write overload-<time>.csv (one line a second per run) there.")
    Path outDir;

    public OverloadBenchCommand(NodeLauncher launcher) {
        this.launcher = launcher;
    }

    @Override
    public Integer call() throws Exception {
        if (factor <= 1 || over < 10 || before < 10 || after < 30 || probe < 5 || probeClients < 1 || serviceMillis < 0) {
            throw new ParameterException(spec.commandLine(), "need --factor > 1, --over >= 10, --before >= 10, "
                    + "--after >= 30, --probe >= 5, --probe-clients >= 1, --service-time >= 0");
        }
        for (String run : runs) {
            String kind = run.endsWith(NO_ADMISSION) ? run.substring(0, run.length() - NO_ADMISSION.length()) : run;
            if (!List.of("java", "http").contains(kind)) {
                throw new ParameterException(spec.commandLine(), "--runs: unknown run '" + run + "'; use java, http, "
                        + "java-no-admission or http-no-admission");
            }
        }
        Settings settings = new Settings(probeClients, Duration.ofSeconds(probe), Duration.ofSeconds(probe),
                Duration.ofSeconds(before), Duration.ofSeconds(over), Duration.ofSeconds(after), factor, serviceMillis);
        PrintStream out = System.out;
        Path dir = Files.createTempDirectory("sagalog-overload");
        List<OverloadRun.Result> results = new ArrayList<>();
        Vertx clientVertx = null;
        out.print("Starting embedded Kafka... ");
        try (NodeLauncher.Broker kafka = launcher.startBroker(dir.resolve("kafka"))) {
            out.println(kafka.bootstrapServers());
            clientVertx = SubmitClient.clientVertx();
            for (String run : runs) {
                boolean admission = !run.endsWith(NO_ADMISSION);
                OverloadParticipants.Kind kind = OverloadParticipants.Kind.valueOf(
                        admission ? run : run.substring(0, run.length() - NO_ADMISSION.length()));
                results.add(new OverloadRun(launcher, kafka.bootstrapServers(), dir, clientVertx, out, settings)
                        .run(kind, admission));
            }
        } finally {
            if (clientVertx != null) {
                clientVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            BaselineSupport.deleteRecursively(dir);
        }
        out.println();
        out.print(summary(results));
        if (outDir != null) {
            Files.createDirectories(outDir);
            Path csv = outDir.resolve("overload-" + java.time.LocalDateTime.now().format(
                    java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".csv");
            StringBuilder lines = new StringBuilder("run,participants,second,phase,offered,accepted,refused,not_sent,"
                    + "finished,in_flight,delivery_delay_s\n");
            for (int i = 0; i < results.size(); i++) {
                for (OverloadRun.Second s : results.get(i).seconds()) {
                    lines.append(String.format(Locale.ROOT, "%d,%s,%d,%s,%d,%d,%d,%d,%d,%d,%.3f%n", i + 1,
                            results.get(i).label(), s.t(), s.phase(), s.offered(), s.accepted(), s.refused(),
                            s.notSent(), s.finished(), s.inFlight(), s.deliveryDelaySeconds()));
                }
            }
            Files.writeString(csv, lines);
            out.println("wrote " + csv);
        }
        boolean kept = results.stream().filter(OverloadRun.Result::admission)
                .allMatch(r -> r.lost() == 0 && r.parked() == 0 && r.notFinal() == 0);
        return kept ? 0 : 1;
    }

    static String summary(List<OverloadRun.Result> results) {
        StringBuilder s = new StringBuilder();
        s.append("| run | participants | capacity tx/s | overload offered/s | accepted/s during it | refused/s during it "
                + "| accepted | COMPLETED | ROLLED_BACK | PARKED | lost | not final | actions per accepted action "
                + "| max delivery delay s | recovered after s |\n");
        s.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < results.size(); i++) {
            OverloadRun.Result r = results.get(i);
            List<OverloadRun.Second> over = r.seconds().stream().filter(x -> x.phase().equals("over")).toList();
            double acceptedPerSecond = over.stream().mapToLong(OverloadRun.Second::accepted).average().orElse(0);
            double refusedPerSecond = over.stream().mapToLong(OverloadRun.Second::refused).average().orElse(0);
            s.append(String.format(Locale.ROOT, "| %d | %s | %.0f | %.0f | %.0f | %.0f | %,d | %,d | %,d | %,d | %,d | %,d "
                            + "| %.3f | %.2f | %s |%n", i + 1, r.label(), r.capacity(), r.capacity() * r.factor(),
                    acceptedPerSecond, refusedPerSecond, r.accepted(), r.finalCounts().getOrDefault("COMPLETED", 0L),
                    r.finalCounts().getOrDefault("ROLLED_BACK", 0L), r.parked(), r.lost(), r.notFinal(),
                    r.actions() / (3.0 * Math.max(1, r.accepted())), r.maxDeliveryDelaySeconds(),
                    r.recoverySeconds() < 0 ? "not within the run" : String.format(Locale.ROOT, "%.0f", r.recoverySeconds())));
        }
        s.append("\nCPU-seconds by component and phase (this machine's cores together):\n");
        for (int i = 0; i < results.size(); i++) {
            OverloadRun.Result r = results.get(i);
            for (var phase : r.cpuByPhase().entrySet()) {
                s.append(String.format(Locale.ROOT, "  run %d %-17s %-6s", i + 1, r.label(), phase.getKey()));
                phase.getValue().forEach((component, seconds) ->
                        s.append(String.format(Locale.ROOT, " %s %.1f", component, seconds)));
                s.append('\n');
            }
        }
        return s.toString();
    }
}
