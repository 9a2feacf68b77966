package io.sagalog.bench;

import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * What the bench needs from the application that runs it: an embedded broker, a node (engine, ingest and console in
 * this JVM, as {@code sagalog dev} wires them), and the command line of a {@code sagalog} process of its own. The
 * {@code app} module implements it and registers the bench commands with it, so the bench depends on the modules
 * below the app and the app on the bench, never the other way round (docs/architecture.md, "Modules").
 */
public interface NodeLauncher {

    /** A single-node KRaft broker in this JVM, its data in {@code dataDir}. */
    Broker startBroker(Path dataDir) throws Exception;

    /** A node on {@code 127.0.0.1}, any free port, without authentication, started and ready. */
    Node startNode(NodeSpec spec) throws Exception;

    /**
     * The command that starts {@code sagalog} in a new JVM with {@code jvmOptions}, as {@code ./sagalog} starts it
     * ({@code java <options> -jar sagalog.jar}), or from this JVM's class path where it does not run from the jar;
     * the caller appends the subcommand and its arguments.
     */
    List<String> sagalogProcess(List<String> jvmOptions);

    /** The class-data archive {@code ./sagalog} prepared for the jar this runs from, if there is one up to date. */
    Optional<Path> classArchive();

    /** An embedded broker; closing it stops it. */
    interface Broker extends AutoCloseable {
        String bootstrapServers();

        @Override
        void close();
    }

    /** A running node; closing it stops it as Ctrl-C would. */
    interface Node extends AutoCloseable {
        /** Its HTTP port. */
        int port();

        /** Kafka Streams' metrics of its engine (RocksDB compaction figures among them). */
        Map<MetricName, ? extends Metric> engineMetrics();

        /** Changelog records the engine restored into its stores since it started. */
        long restoredRecords();

        @Override
        void close();
    }

    /**
     * @param deliveryAdmission false: without delivery admission ({@code --max-delivery-delay 0}), the baseline of
     *     {@code bench-overload}
     */
    record NodeSpec(EngineConfig engine, int partitions, DefinitionCatalog definitions, boolean deliveryAdmission) {}
}
