package io.sagalog.app;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sagalog engine} in a JVM of its own, as an operator would run it, so that it can be killed with SIGKILL
 * ({@link Process#destroyForcibly()}) and started again on the same data directory, application id and instance
 * id. Its stdout is read for the one {@code sagalog engine ready http=HOST:PORT ...} line; everything it writes
 * goes to files in {@code logDir} (stderr appended across restarts) for diagnosis.
 */
final class EngineProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("^sagalog engine ready http=([^:\\s]+):(\\d+) .*");

    /** What to start; the same settings are used for every restart. */
    record Settings(String bootstrap, Path dataDir, String applicationId, String instanceId, int partitions,
                    List<Path> definitions, String processingGuarantee, Path logDir) {}

    /**
     * The classpath this code was loaded from: {@code java.class.path} under Surefire and Failsafe, the URLs of the
     * class loader where that property names something else (e.g. {@code mvn exec:java}, which runs in Maven's JVM).
     */
    static String currentClasspath() {
        List<String> entries = new ArrayList<>();
        ClassLoader loader = EngineProcess.class.getClassLoader();
        if (loader instanceof java.net.URLClassLoader u) { // the nearest one only: its parents may be Maven's own
            for (java.net.URL url : u.getURLs()) {
                try {
                    entries.add(Path.of(url.toURI()).toString());
                } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                    // not a file: skip
                }
            }
        }
        return entries.isEmpty() ? System.getProperty("java.class.path")
                : String.join(java.io.File.pathSeparator, entries);
    }

    private final Settings settings;
    private final Path jar;
    private final List<String> jarJvmOptions;
    private final Path logbackConfig;
    private final String classpath = currentClasspath();
    private volatile List<String> lastCommand = List.of();
    private Process process;
    private CompletableFuture<Integer> ready;
    private int starts;

    EngineProcess(Settings settings) {
        this(settings, null, List.of());
    }

    /**
     * Runs the engine from the runnable jar ({@code app/target/sagalog.jar}) with the given JVM options (e.g. its
     * class-data archive), as {@code ./sagalog engine} does, instead of from this code's classpath.
     */
    EngineProcess(Settings settings, Path jar, List<String> jvmOptions) {
        this.settings = settings;
        this.jar = jar;
        this.jarJvmOptions = List.copyOf(jvmOptions);
        try {
            Files.createDirectories(settings.logDir());
            // The test classpath carries logback-test.xml, which logs to stdout; the child logs to stderr instead,
            // so that stdout holds only its ready line.
            this.logbackConfig = settings.logDir().resolve("engine-logback.xml");
            Files.writeString(logbackConfig, """
                    <configuration>
                      <appender name="ERR" class="ch.qos.logback.core.ConsoleAppender">
                        <target>System.err</target>
                        <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
                      </appender>
                      <logger name="io.sagalog" level="INFO"/>
                      <logger name="org.apache.kafka" level="WARN"/>
                      <logger name="org.apache.kafka.streams.KafkaStreams" level="INFO"/>
                      <logger name="kafka" level="WARN"/>
                      <root level="WARN"><appender-ref ref="ERR"/></root>
                    </configuration>
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Belt and braces: never leave an engine running behind a JVM that dies without @AfterAll.
        Runtime.getRuntime().addShutdownHook(new Thread(this::kill, "engine-process-reaper"));
    }

    /** Starts a new engine process; returns at once. {@link #awaitReady} tells when it serves. */
    synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the engine process is still running (pid " + process.pid() + ")");
        }
        starts++;
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        // Extra JVM options for a measurement run (e.g. a flight recording); whitespace-separated.
        String extra = System.getProperty("sagalog.engine.jvmArgs", "").strip();
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.split("\\s+")).stream().map(a -> a.replace("%n", Integer.toString(starts))).toList());
        }
        cmd.add("-Dlogback.configurationFile=" + logbackConfig.toAbsolutePath());
        if (jar == null) {
            cmd.add("-cp");
            cmd.add(classpath);
            cmd.add(SagalogCli.class.getName());
        } else {
            cmd.addAll(jarJvmOptions);
            cmd.add("-jar");
            cmd.add(jar.toAbsolutePath().toString());
        }
        cmd.add("engine");
        cmd.add("--no-auth");
        cmd.add("--bootstrap=" + settings.bootstrap());
        cmd.add("--port=0");
        cmd.add("--host=127.0.0.1");
        cmd.add("--data-dir=" + settings.dataDir().toAbsolutePath());
        cmd.add("--application-id=" + settings.applicationId());
        cmd.add("--instance-id=" + settings.instanceId());
        cmd.add("--partitions=" + settings.partitions());
        cmd.add("--processing-guarantee=" + settings.processingGuarantee());
        for (Path d : settings.definitions()) {
            cmd.add("--definition=" + d.toAbsolutePath());
        }
        lastCommand = List.copyOf(cmd);
        Path stderr = settings.logDir().resolve("engine-stderr.log");
        Path stdout = settings.logDir().resolve("engine-stdout.log");
        try {
            Files.writeString(stderr, "===== start #" + starts + " =====\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.PIPE)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the engine process", e);
        }
        CompletableFuture<Integer> readyNow = new CompletableFuture<>();
        ready = readyNow;
        Process p = process;
        int n = starts;
        Thread reader = new Thread(() -> pump(p, n, stdout, readyNow), "engine-stdout-" + n);
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
            // the process died; handled below
        }
        ready.completeExceptionally(new IllegalStateException("engine process (start #" + start
                + ") ended without its ready line, exit code " + exitCode(p)));
    }

    private static String exitCode(Process p) {
        try {
            return p.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(p.exitValue()) : "(still running)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    /** Waits for the ready line of the current process and returns its HTTP port. */
    int awaitReady(Duration timeout) throws Exception {
        CompletableFuture<Integer> r;
        synchronized (this) {
            r = ready;
        }
        try {
            return r.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the engine printed no ready line within " + timeout + "; see "
                    + settings.logDir().resolve("engine-stderr.log").toAbsolutePath(), e);
        }
    }

    /** SIGKILL (on Linux, {@link Process#destroyForcibly()} sends SIGKILL), and waits until the process is gone. */
    synchronized void kill() {
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

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** The command line of the last start, with the classpath abbreviated, for people to read. */
    String commandLine() {
        return lastCommand.stream().map(a -> a.equals(classpath) ? "<classpath: " + classpath.split(java.io.File.pathSeparator).length
                + " entries>" : a).collect(java.util.stream.Collectors.joining(" "));
    }

    Path stderrLog() {
        return settings.logDir().resolve("engine-stderr.log");
    }

    @Override
    public void close() {
        kill();
    }
}
