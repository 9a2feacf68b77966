package io.sagalog.app;

import io.sagalog.app.cluster.ChildProcess;
import io.sagalog.bench.EngineChild;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code sagalog engine} in a JVM of its own, started from this code's class path, so that it can be killed with
 * SIGKILL and started again on the same data directory, application id and instance id ({@link EngineChild} does the
 * process handling; {@code sagalog bench-recovery} uses it the same way from the jar). Its stdout is read for the ready
 * line; everything it writes goes to files in {@code logDir} (stderr appended across restarts).
 */
final class EngineProcess implements AutoCloseable {

    /** What to start; the same settings are used for every restart. */
    record Settings(String bootstrap, Path dataDir, String applicationId, String instanceId, int partitions,
                    List<Path> definitions, String processingGuarantee, Path logDir) {}

    /**
     * The classpath this code was loaded from: {@code java.class.path} under Surefire and Failsafe, the URLs of the
     * class loader where that property names something else (e.g. {@code mvn exec:java}, which runs in Maven's JVM).
     */
    static String currentClasspath() {
        return ChildProcess.ownClasspath();
    }

    private final String classpath = currentClasspath();
    private final EngineChild child;

    EngineProcess(Settings s) {
        // The test classpath carries logback-test.xml, which logs to stdout; the child logs to stderr instead, so that
        // stdout holds only its ready line.
        Path logConfig = EngineChild.logConfig(s.logDir());
        this.child = new EngineChild(new EngineChild.Settings(s.bootstrap(), s.dataDir(), s.applicationId(),
                s.instanceId(), s.partitions(), s.definitions(), s.processingGuarantee(), s.logDir()), start -> {
                    List<String> cmd = new ArrayList<>(List.of(ChildProcess.java(), "-Xmx512m", "-XX:+UseSerialGC"));
                    // Extra JVM options for a measurement run (e.g. a flight recording); whitespace-separated.
                    String extra = System.getProperty("sagalog.engine.jvmArgs", "").strip();
                    if (!extra.isEmpty()) {
                        List.of(extra.split("\\s+")).forEach(a -> cmd.add(a.replace("%n", Integer.toString(start))));
                    }
                    cmd.addAll(List.of("-Dlogback.configurationFile=" + logConfig.toAbsolutePath(), "-cp", classpath,
                            SagalogCli.class.getName()));
                    return cmd;
                });
    }

    /** Starts a new engine process; returns at once. {@link #awaitReady} tells when it serves. */
    void start() {
        child.start();
    }

    /** Waits for the ready line of the current process and returns its HTTP port. */
    int awaitReady(Duration timeout) throws Exception {
        return child.awaitReady(timeout);
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill() {
        child.kill();
    }

    boolean isAlive() {
        return child.isAlive();
    }

    long pid() {
        return child.pid();
    }

    /** The command line of the last start, with the classpath abbreviated, for people to read. */
    String commandLine() {
        return child.lastCommand().stream().map(a -> a.equals(classpath) ? "<classpath: "
                + classpath.split(java.io.File.pathSeparator).length + " entries>" : a).collect(Collectors.joining(" "));
    }

    Path stderrLog() {
        return child.stderrLog();
    }

    @Override
    public void close() {
        child.close();
    }
}
