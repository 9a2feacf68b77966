package io.sagalog.app;

import io.sagalog.app.cluster.ChildProcess;
import io.sagalog.bench.NodeLauncher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The bench's brokers, nodes and child processes, as the app wires them: {@link EmbeddedKafka}, {@link SagalogNode}
 * on loopback without authentication, and {@code sagalog} from the jar this runs from. The bench module cannot see
 * these classes (it sits below the app), so the app hands it this.
 */
final class BenchNodes implements NodeLauncher {

    @Override
    public Broker startBroker(Path dataDir) {
        EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0, Map.of());
        return new Broker() {
            @Override
            public String bootstrapServers() {
                return kafka.bootstrapServers();
            }

            @Override
            public void close() {
                kafka.close();
            }
        };
    }

    @Override
    public Node startNode(NodeSpec spec) throws Exception {
        SagalogNode.Options options = new SagalogNode.Options(spec.engine(), "127.0.0.1", 0, spec.partitions(),
                spec.definitions());
        if (!spec.deliveryAdmission()) {
            options = options.withLimits(options.limits().withMaxDeliveryDelay(Duration.ZERO));
        }
        SagalogNode node = SagalogNode.start(options);
        return new Node() {
            @Override
            public int port() {
                return node.port();
            }

            @Override
            public Map<MetricName, ? extends Metric> engineMetrics() {
                return node.engineMetrics();
            }

            @Override
            public long restoredRecords() {
                return node.restoredRecords();
            }

            @Override
            public void close() {
                node.close();
            }
        };
    }

    @Override
    public List<String> sagalogProcess(List<String> jvmOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ChildProcess.java());
        cmd.addAll(jvmOptions);
        Optional<Path> jar = runnableJar();
        if (jar.isPresent()) {
            cmd.add("-jar");
            cmd.add(jar.get().toString());
        } else {
            cmd.add("-cp");
            cmd.add(ChildProcess.ownClasspath());
            cmd.add(SagalogCli.class.getName());
        }
        return cmd;
    }

    /** {@code ./sagalog} keeps the archive beside the jar ({@code sagalog.jsa}) and makes it again after each build. */
    @Override
    public Optional<Path> classArchive() {
        return runnableJar().map(jar -> jar.resolveSibling("sagalog.jsa")).filter(archive -> {
            try {
                return Files.isRegularFile(archive) && Files.getLastModifiedTime(archive)
                        .compareTo(Files.getLastModifiedTime(runnableJar().orElseThrow())) >= 0;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The jar this runs from ({@code java -jar sagalog.jar}), or empty (tests, an IDE: a class path). */
    private static Optional<Path> runnableJar() {
        Path classpath = Path.of(ChildProcess.ownClasspath());
        return classpath.toString().endsWith(".jar") && Files.isRegularFile(classpath)
                ? Optional.of(classpath.toAbsolutePath()) : Optional.empty();
    }
}
