package io.sagalog.app.cluster;

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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One JVM this process started (a broker or an engine), restartable with the same command line. Its stdout and stderr
 * are appended to one log file across restarts, each start marked. Faults as an operator causes them: {@link #kill}
 * (SIGKILL), {@link #suspend} / {@link #resume} (SIGSTOP / SIGCONT), {@link #stop} (SIGTERM, then SIGKILL).
 * One shutdown hook kills every child still running when this JVM exits, so no child outlives a failed test or
 * Ctrl-C; it first runs what was registered with {@link #beforeReaping} (an orderly stop), since the JVM runs
 * separate shutdown hooks at the same time.
 */
public final class ChildProcess implements AutoCloseable {
    private static final java.util.List<ChildProcess> ALL = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final java.util.List<Runnable> ORDERLY = new java.util.concurrent.CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Runnable r : ORDERLY) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    System.err.println("stopping child processes: " + e);
                }
            }
            ALL.forEach(ChildProcess::kill);
        }, "child-process-reaper"));
    }

    /** Runs {@code orderlyStop} when this JVM exits, before any child still running is killed. */
    public static void beforeReaping(Runnable orderlyStop) {
        ORDERLY.add(orderlyStop);
    }

    private final String name;
    private final List<String> command;
    private final Path log;
    private final Consumer<String> lines;
    private Process process;
    private int starts;

    /**
     * @param lines called with every line the child writes to stdout or stderr (after it is logged); may be null
     */
    public ChildProcess(String name, List<String> command, Path log, Consumer<String> lines) {
        this.name = name;
        this.command = List.copyOf(command);
        this.log = log;
        this.lines = lines == null ? line -> { } : lines;
        ALL.add(this);
    }

    /** The java executable of this JVM, for children. */
    public static String java() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * The classpath for a child JVM: the runnable jar this code was loaded from (as {@code ./sagalog} runs it), else
     * the class path this code was loaded from (tests, an IDE, {@code mvn exec:java}).
     */
    public static String ownClasspath() {
        // ./sagalog runs java -jar sagalog.jar: the class path is that one jar, dependencies shaded in.
        String classPath = System.getProperty("java.class.path", "");
        try {
            var source = ChildProcess.class.getProtectionDomain().getCodeSource();
            if (source != null) {
                Path p = Path.of(source.getLocation().toURI());
                if (Files.isRegularFile(p) && !classPath.contains(java.io.File.pathSeparator)
                        && Path.of(classPath).toAbsolutePath().equals(p.toAbsolutePath())) {
                    return p.toString();
                }
            }
        } catch (Exception e) {
            // fall back below
        }
        // mvn exec:java runs in Maven's JVM: java.class.path names Maven's launcher, the class loader the project.
        List<String> entries = new ArrayList<>();
        if (ChildProcess.class.getClassLoader() instanceof java.net.URLClassLoader u) {
            for (java.net.URL url : u.getURLs()) {
                try {
                    entries.add(Path.of(url.toURI()).toString());
                } catch (Exception e) {
                    // not a file: skip
                }
            }
        }
        return entries.isEmpty() ? System.getProperty("java.class.path") : String.join(java.io.File.pathSeparator, entries);
    }

    /** Starts the child; returns at once. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is still running (pid " + process.pid() + ")");
        }
        starts++;
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Files.writeString(log, "===== " + name + " start #" + starts + " =====\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
        Process p = process;
        Thread pump = new Thread(() -> pump(p), name + "-output-" + starts);
        pump.setDaemon(true);
        pump.start();
    }

    private void pump(Process p) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                     StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.println(line);
                lines.accept(line);
            }
        } catch (IOException e) {
            // the child is gone
        }
    }

    /** SIGKILL, and waits until the process is gone. */
    public synchronized void kill() {
        if (process == null || !process.isAlive()) {
            return;
        }
        resumeQuietly(); // a stopped process dies of SIGKILL too, but its pipes close sooner when it runs
        process.destroyForcibly();
        await(Duration.ofSeconds(30));
    }

    /** SIGTERM, then SIGKILL if it has not ended within {@code grace}. */
    public synchronized void stop(Duration grace) {
        if (process == null || !process.isAlive()) {
            return;
        }
        resumeQuietly();
        process.destroy();
        if (!await(grace)) {
            kill();
        }
    }

    /** SIGSTOP: the process keeps its sockets open and answers nothing, as a long GC pause or a frozen VM. */
    public synchronized void suspend() {
        signal("STOP");
    }

    /** SIGCONT after {@link #suspend}. */
    public synchronized void resume() {
        signal("CONT");
    }

    private void resumeQuietly() {
        try {
            signal("CONT");
        } catch (RuntimeException e) {
            // best effort
        }
    }

    private void signal(String signal) {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(name + " is not running");
        }
        try {
            Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
            if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private boolean await(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The pid of the current (or last) process, -1 before the first start. */
    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Completes when the current process ends, with its exit code. */
    public synchronized java.util.concurrent.CompletableFuture<Integer> onExit() {
        return process.onExit().thenApply(Process::exitValue);
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public List<String> command() {
        return new ArrayList<>(command);
    }

    @Override
    public void close() {
        kill();
    }
}
