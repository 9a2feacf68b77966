package io.sagalog.app.cluster;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * One Kafka broker in a JVM of its own ({@code kafka.Kafka}, from this code's classpath): KRaft, combined broker and
 * controller, loopback only. Its directory survives {@link #kill} and a start on it again resumes as the same node.
 */
public final class BrokerProcess implements AutoCloseable {
    static final String CONTROLLER = "CONTROLLER";

    private final int nodeId;
    private final int port;
    private final int controllerPort;
    private final Path dir;
    private final ChildProcess child;

    /**
     * @param voters {@code controller.quorum.voters}, e.g. {@code 1@127.0.0.1:9101,2@127.0.0.1:9102,...}
     * @param settings broker settings of the whole cluster (replication, timeouts); applied after the node's own
     */
    BrokerProcess(int nodeId, int port, int controllerPort, Path dir, String voters, Map<String, String> settings,
                  String heap) {
        this.nodeId = nodeId;
        this.port = port;
        this.controllerPort = controllerPort;
        this.dir = dir.toAbsolutePath();
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(nodeId));
        props.put("controller.quorum.voters", voters);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + "," + CONTROLLER + "://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.put("controller.listener.names", CONTROLLER);
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER + ":PLAINTEXT");
        props.put("log.dirs", this.dir.resolve("data").toString());
        props.putAll(settings);
        try {
            Files.createDirectories(this.dir);
            Path config = this.dir.resolve("server.properties");
            try (var out = Files.newBufferedWriter(config)) {
                props.store(out, "broker " + nodeId + " of a local Sagalog cluster");
            }
            Path logback = this.dir.resolve("logback.xml");
            Files.writeString(logback, """
                    <configuration>
                      <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
                      </appender>
                      <logger name="kafka.server.KafkaRaftServer" level="INFO"/>
                      <logger name="kafka.server.BrokerServer" level="INFO"/>
                      <root level="WARN"><appender-ref ref="OUT"/></root>
                    </configuration>
                    """);
            List<String> cmd = List.of(ChildProcess.java(), "-Xms128m", "-Xmx" + heap, "-XX:+UseSerialGC",
                    "-Dlogback.configurationFile=" + logback, "-cp", ChildProcess.ownClasspath(), "kafka.Kafka",
                    config.toString());
            this.child = new ChildProcess("broker-" + nodeId, cmd, this.dir.resolve("broker.log"), null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare broker " + nodeId + " in " + dir, e);
        }
    }

    /** Formats the storage once, with the cluster's id; a formatted directory is left alone. */
    void format(String clusterId) {
        Path data = dir.resolve("data");
        if (Files.exists(data.resolve("meta.properties"))) {
            return;
        }
        try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
            new Formatter().setPrintStream(quiet).setNodeId(nodeId).setClusterId(clusterId)
                    .setDirectories(List.of(data.toString())).setMetadataLogDirectory(data.toString())
                    .setControllerListenerName(CONTROLLER).setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format broker " + nodeId + " in " + data + ": " + e.getMessage(), e);
        }
    }

    /** Starts the JVM (on the same directory as before, after a kill); returns at once. */
    public void start() {
        child.start();
    }

    /** Waits until this broker answers on its own listener. */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
            while (true) {
                if (!child.isAlive()) {
                    throw new IllegalStateException("broker " + nodeId + " exited; see " + child.log());
                }
                try {
                    var nodes = admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
                    if (nodes.stream().anyMatch(n -> n.id() == nodeId)) {
                        return;
                    }
                } catch (Exception e) {
                    // not yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("broker " + nodeId + " not ready within " + timeout + "; see " + child.log());
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
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

    public int nodeId() {
        return nodeId;
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public long pid() {
        return child.pid();
    }

    public Path dir() {
        return dir;
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public ChildProcess process() {
        return child;
    }

    @Override
    public void close() {
        child.stop(Duration.ofSeconds(20));
    }
}
