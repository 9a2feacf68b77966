package io.sagalog.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sagalog engine} in a JVM of its own, as an operator runs it, so that it can be killed with SIGKILL and started
 * again on the same data directory, application id and instance id ({@code sagalog bench-recovery}, and the app's
 * crash tests). Its stdout is read for the {@code sagalog engine ready http=HOST:PORT ...} line; everything it writes
 * goes to files in {@code logDir} (appended across restarts, each start marked).
 */
public final class EngineChild implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("^sagalog engine ready http=([^:\\s]+):(\\d+) .*");

    /** What to start; the same for every restart. */
    public record Settings(String bootstrap, Path dataDir, String applicationId, String instanceId, int partitions,
                           List<Path> definitions, String processingGuarantee, Path logDir) {}

    private final Settings settings;
    private final IntFunction<List<String>> jvm;
    private volatile List<String> lastCommand = List.of();
    private Process process;
    private CompletableFuture<Integer> ready;
    private int starts;

    /**
     * @param jvm for the n-th start (from 1), the command up to the {@code sagalog} arguments: the java executable, its
     *     options, and {@code -jar sagalog.jar} or a class path and the main class ({@link NodeLauncher#sagalogProcess})
     */
    public EngineChild(Settings settings, IntFunction<List<String>> jvm) {
        this.settings = settings;
        this.jvm = jvm;
        try {
            Files.createDirectories(settings.logDir());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Never leave an engine running behind this JVM, also when it is stopped with Ctrl-C.
        Runtime.getRuntime().addShutdownHook(new Thread(this::kill, "engine-child-reaper"));
    }

    /**
     * Writes a log configuration to {@code logDir} and returns it: INFO on stderr, unlike the jar's own, since the
     * start-up timing line and what Kafka Streams says about corrupted or wiped state are read back from the log.
     */
    public static Path logConfig(Path logDir) {
        Path file = logDir.resolve("engine-logback.xml");
        try {
            Files.createDirectories(logDir);
            // -Dsagalog.engine.kafkaLogLevel=INFO shows the Kafka clients' own account of a fail-over (coordinator
            // lost and found, rebalances, NOT_LEADER retries) in each engine's log, for diagnosing a stall.
            String kafkaLevel = System.getProperty("sagalog.engine.kafkaLogLevel", "WARN");
            Files.writeString(file, """
                    <configuration>
                      <appender name="ERR" class="ch.qos.logback.core.ConsoleAppender">
                        <target>System.err</target>
                        <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
                      </appender>
                      <logger name="io.sagalog" level="INFO"/>
                      <logger name="org.apache.kafka" level="KAFKA_LEVEL"/>
                      <logger name="org.apache.kafka.streams.KafkaStreams" level="INFO"/>
                      <logger name="kafka" level="WARN"/>
                      <root level="WARN"><appender-ref ref="ERR"/></root>
                    </configuration>
                    """.replace("KAFKA_LEVEL", kafkaLevel));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private List<String> command(int start) {
        List<String> cmd = new ArrayList<>(jvm.apply(start));
        cmd.addAll(List.of("engine", "--no-auth", "--bootstrap=" + settings.bootstrap(), "--port=0", "--host=127.0.0.1",
                "--data-dir=" + settings.dataDir().toAbsolutePath(), "--application-id=" + settings.applicationId(),
                "--instance-id=" + settings.instanceId(), "--partitions=" + settings.partitions(),
                "--processing-guarantee=" + settings.processingGuarantee()));
        settings.definitions().forEach(d -> cmd.add("--definition=" + d.toAbsolutePath()));
        return cmd;
    }

    /** Starts a new engine process; returns at once. {@link #awaitReady} tells when it serves. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the engine process is still running (pid " + process.pid() + ")");
        }
        starts++;
        List<String> command = command(starts);
        lastCommand = List.copyOf(command);
        try {
            Files.writeString(stderrLog(), "===== start #" + starts + " =====\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(stderrLog().toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the engine process", e);
        }
        CompletableFuture<Integer> readyNow = new CompletableFuture<>();
        ready = readyNow;
        Process p = process;
        int n = starts;
        Thread reader = new Thread(() -> pump(p, n, settings.logDir().resolve("engine-stdout.log"), readyNow),
                "engine-stdout-" + n);
        reader.setDaemon(true);
        reader.start();
    }

    /** Reads the child's stdout to its end (so it never blocks on a full pipe), completing {@code ready} on the ready line. */
    private static void pump(Process p, int start, Path stdout, CompletableFuture<Integer> ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter log = new PrintWriter(Files.newBufferedWriter(stdout, StandardCharsets.UTF_8,
                     StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
            log.println("===== start #" + start + " =====");
            String line;
            while ((line = in.readLine()) != null) {
                log.println(line);
                Matcher m = READY.matcher(line);
                if (m.matches()) {
                    ready.complete(Integer.parseInt(m.group(2)));
                }
            }
        } catch (IOException e) {
            // the process died; reported below
        }
        ready.completeExceptionally(new IllegalStateException("engine process (start #" + start
                + ") ended without its ready line"));
    }

    /** Waits for the ready line of the current process and returns its HTTP port. */
    public int awaitReady(Duration timeout) throws Exception {
        CompletableFuture<Integer> r;
        synchronized (this) {
            r = ready;
        }
        try {
            return r.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the engine printed no ready line within " + timeout + "; see "
                    + stderrLog().toAbsolutePath(), e);
        }
    }

    /** SIGKILL (on Linux, {@link Process#destroyForcibly()} sends SIGKILL), and waits until the process is gone. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("engine process " + process.pid() + " did not die after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** The command line of the last start. */
    public List<String> lastCommand() {
        return lastCommand;
    }

    public Path stderrLog() {
        return settings.logDir().resolve("engine-stderr.log");
    }

    @Override
    public void close() {
        kill();
    }
}
