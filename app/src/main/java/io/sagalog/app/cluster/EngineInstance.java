package io.sagalog.app.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sagalog engine} in a JVM of its own, as an operator runs it, restartable on the same data directory, instance
 * id and HTTP port (so clients and the other instance find it again). Ready when it prints its
 * {@code sagalog engine ready http=HOST:PORT ...} line.
 */
public final class EngineInstance implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("^sagalog engine ready http=([^:\\s]+):(\\d+) .*");

    /**
     * Flags every engine of a replicated cluster gets beyond the defaults. None: an engine's defaults already fit a
     * cluster ({@code --replication-factor} the smaller of 3 and the brokers, {@code min.insync.replicas} 2 from 3
     * copies, Streams' internal topics alike, {@code --standby-replicas 1}); the topics {@link ClusterTopics} creates
     * beforehand have exactly those settings, and each engine checks them at start.
     */
    public static final List<String> REPLICATION_FLAGS = List.of();

    /**
     * @param port the HTTP port, fixed so a restarted instance is found at the same address
     * @param secretFile the callback secret every instance of the application id shares
     * @param tokensFile bearer tokens, or null for {@code --no-auth}
     * @param extraArgs further {@code sagalog engine} flags (e.g. {@code --participant-allow=127.0.0.1/32})
     */
    public record Settings(String name, String bootstrap, Path dataDir, String applicationId, String instanceId, int port,
                           int partitions, Path secretFile, Path tokensFile, List<Path> definitions,
                           List<String> extraArgs, String heap) {}

    private final Settings settings;
    private final ChildProcess child;
    private volatile CompletableFuture<Integer> ready = new CompletableFuture<>();

    public EngineInstance(Settings settings) {
        this.settings = settings;
        Path dir = settings.dataDir().toAbsolutePath();
        try {
            Files.createDirectories(dir);
            // Logs to stdout (the child's one log file); Kafka's clients only from WARN, unless
            // -Dsagalog.engine.kafkaLogLevel=INFO asks for their account of a fail-over (coordinators, group joins).
            Path logback = dir.resolve("logback.xml");
            String kafkaLevel = System.getProperty("sagalog.engine.kafkaLogLevel", "WARN");
            Files.writeString(logback, """
                    <configuration>
                      <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
                      </appender>
                      <logger name="io.sagalog" level="INFO"/>
                      <logger name="org.apache.kafka.streams.KafkaStreams" level="INFO"/>
                      <logger name="org.apache.kafka.clients" level="KAFKA_LEVEL"/>
                      <root level="WARN"><appender-ref ref="OUT"/></root>
                    </configuration>
                    """.replace("KAFKA_LEVEL", kafkaLevel));
            List<String> cmd = new ArrayList<>(List.of(ChildProcess.java(), "-Xms128m", "-Xmx" + settings.heap(),
                    "-XX:+UseSerialGC", "-Dlogback.configurationFile=" + logback, "-cp", ChildProcess.ownClasspath(),
                    "io.sagalog.app.SagalogCli", "engine",
                    "--bootstrap=" + settings.bootstrap(), "--host=127.0.0.1", "--port=" + settings.port(),
                    "--data-dir=" + dir.resolve("state"), "--application-id=" + settings.applicationId(),
                    "--instance-id=" + settings.instanceId(), "--partitions=" + settings.partitions(),
                    "--callback-secret-file=" + settings.secretFile().toAbsolutePath()));
            cmd.add(settings.tokensFile() == null ? "--no-auth" : "--tokens=" + settings.tokensFile().toAbsolutePath());
            settings.definitions().forEach(d -> cmd.add("--definition=" + d.toAbsolutePath()));
            cmd.addAll(REPLICATION_FLAGS);
            cmd.addAll(settings.extraArgs());
            this.child = new ChildProcess(settings.name(), cmd, dir.resolve("engine.log"), this::line);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot prepare " + settings.name() + " in " + dir, e);
        }
    }

    private void line(String line) {
        Matcher m = READY.matcher(line);
        if (m.matches()) {
            ready.complete(Integer.parseInt(m.group(2)));
        }
    }

    /** Starts the JVM; returns at once ({@link #awaitReady}). */
    public synchronized void start() {
        CompletableFuture<Integer> r = new CompletableFuture<>();
        ready = r;
        child.start();
        child.onExit().thenAccept(code -> r.completeExceptionally(new IllegalStateException(
                settings.name() + " exited with code " + code + " before it was ready; see " + child.log())));
    }

    /** Waits for the ready line of the current process. */
    public void awaitReady(Duration timeout) throws Exception {
        try {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(settings.name() + " printed no ready line within " + timeout + "; see "
                    + child.log(), e);
        }
    }

    public void kill() {
        child.kill();
    }

    public void suspend() {
        child.suspend();
    }

    public void resume() {
        child.resume();
    }

    public boolean isAlive() {
        return child.isAlive();
    }

    public long pid() {
        return child.pid();
    }

    public int port() {
        return settings.port();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + settings.port();
    }

    public Settings settings() {
        return settings;
    }

    public ChildProcess process() {
        return child;
    }

    @Override
    public void close() {
        child.stop(Duration.ofSeconds(20));
    }
}
