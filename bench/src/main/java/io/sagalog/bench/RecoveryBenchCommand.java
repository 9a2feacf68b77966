package io.sagalog.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code sagalog bench-recovery}: how long the engine takes to recover after SIGKILL with a backlog waiting for it
 * (README, "Time to recover"). Each round runs on a fresh broker ({@link RecoveryRound}); the engine is a process of
 * its own, started as {@code ./sagalog engine} starts it, once with the class-data archive {@code ./sagalog} prepared
 * and once without, alternating, so the machine's noise and warm-up favour neither. Progress goes to stderr, the
 * table of results to stdout.
 */
@Command(name = "bench-recovery", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Kill the engine (SIGKILL) with transactions in flight whose participants answer while it is "
                + "down, start it again, and measure from the new process's start: to ready, to all transactions "
                + "moving again, to all final. Engine processes are started from the jar this runs from, with and "
                + "without its class-data archive."})
public final class RecoveryBenchCommand implements Callable<Integer> {
    private final NodeLauncher launcher;

    @Spec
    CommandSpec spec;

    @Option(names = "--guarantee", defaultValue = "at_least_once", paramLabel = "GUARANTEE",
            description = "Processing guarantee of the engine: at_least_once or exactly_once_v2 (default: ${DEFAULT-VALUE}).")
    String guarantee;

    @Option(names = "--transactions", defaultValue = "1000", paramLabel = "N",
            description = "Transactions in flight at the kill (default: ${DEFAULT-VALUE}).")
    int transactions;

    @Option(names = "--rounds", defaultValue = "1", paramLabel = "N",
            description = "Measured rounds, each with every variant, after one warm-up round (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup-round", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "First a round that is printed but not counted: it warms this JVM, which hosts the broker "
                    + "and the participants, as they are in a running system (default: on).")
    boolean warmupRound;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where brokers, engines and engine logs go (default: a temporary directory; the logs stay).")
    Path dataDir;

    public RecoveryBenchCommand(NodeLauncher launcher) {
        this.launcher = launcher;
    }

    @Override
    public Integer call() throws Exception {
        if (!BenchOptions.GUARANTEES.contains(guarantee)) {
            throw new ParameterException(spec.commandLine(), "--guarantee must be at_least_once or exactly_once_v2, not '"
                    + guarantee + "'");
        }
        if (transactions < 1 || rounds < 1) {
            throw new ParameterException(spec.commandLine(), "--transactions and --rounds must be at least 1");
        }
        PrintStream progress = System.err;
        List<RecoveryRound.Variant> variants = variants(progress);
        Path dir = dataDir != null ? Files.createDirectories(dataDir) : Files.createTempDirectory("sagalog-recovery-bench");
        progress.println("engine logs in " + dir.toAbsolutePath());
        RecoveryRound round = new RecoveryRound(launcher, guarantee, transactions, dir, progress);
        if (warmupRound) {
            round.run(0, variants.get(variants.size() - 1));
        }
        List<RecoveryRound.Result> results = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            for (RecoveryRound.Variant v : variants) {
                results.add(round.run(r, v));
            }
        }
        PrintStream out = System.out;
        out.printf("%n%s, %d transactions in flight, engine killed with SIGKILL and restarted; from the new process's "
                + "start:%n", guarantee, transactions);
        out.println("| round | engine started as | to ready | to all moved again | to all final |");
        out.println("|---:|---|---:|---:|---:|");
        for (RecoveryRound.Result r : results) {
            out.printf("| %d | %s | %.1f s | %.1f s | %.1f s |%n", r.round(), r.variant(), r.readyMs() / 1e3,
                    r.movedMs() / 1e3, r.finalMs() / 1e3);
        }
        return 0;
    }

    /** Without the archive, and with it where {@code ./sagalog} prepared one for this jar. */
    private List<RecoveryRound.Variant> variants(PrintStream progress) {
        List<RecoveryRound.Variant> variants = new ArrayList<>();
        variants.add(new RecoveryRound.Variant("jar, the JDK's own class archive only", List.of("-Xshare:auto")));
        Optional<Path> archive = launcher.classArchive();
        if (archive.isPresent()) {
            variants.add(new RecoveryRound.Variant("jar + class-data archive", List.of("-XX:SharedArchiveFile="
                    + archive.get(), "-Xlog:cds=off", "-Xlog:cds+dynamic=off")));
        } else {
            progress.println("no class-data archive for this jar (./sagalog prepares one beside it, sagalog.jsa): "
                    + "measuring the engine without it only");
        }
        return variants;
    }
}
