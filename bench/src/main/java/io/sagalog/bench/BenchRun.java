package io.sagalog.bench;

import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Measures one {@link Configuration}: starts a Sagalog node with a fresh engine on the shared broker, drives the
 * load over HTTP with a {@link LoadDriver}, takes the cost figures at the window's edges with a
 * {@link WindowProbe}, stops the node and removes the engine's topics and state.
 *
 * <p>Why a fresh engine per configuration: state, caches and backlog from the previous configuration would
 * otherwise leak into this one. The new engine starts reading the control log at its end
 * ({@code auto.offset.reset=latest} for a group that has no offsets yet): from the beginning, it would first replay
 * every transaction the earlier configurations submitted, and send their steps to the participants again, in the
 * middle of this measurement. Its topics are deleted afterwards so that compacting the old changelogs does not take
 * CPU from the next configurations.
 */
final class BenchRun {
    static final int PARTITIONS = 6;
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    /** The column name for process CPU not found in any live thread (see {@link ComponentCpu.Usage}). */
    static final String UNATTRIBUTED = "unattributed";

    /**
     * What one configuration produced.
     *
     * @param perTransaction Kafka writes per settled transaction, by topic; null if none settled in the window
     */
    record Outcome(Configuration configuration, String applicationId, BenchResult result, LoadDriver.Run run,
                   KafkaFootprint.PerTransaction perTransaction) {}

    private final String servers;
    private final Admin admin;
    private final DefinitionCatalog catalog;
    private final Path dataDir;
    private final Vertx clientVertx;
    private final BenchOptions options;
    private final PrintStream out;
    private final NodeLauncher launcher;

    BenchRun(NodeLauncher launcher, String servers, Admin admin, DefinitionCatalog catalog, Path dataDir, Vertx clientVertx,
             BenchOptions options, PrintStream out) {
        this.launcher = launcher;
        this.servers = servers;
        this.admin = admin;
        this.catalog = catalog;
        this.dataDir = dataDir;
        this.clientVertx = clientVertx;
        this.options = options;
        this.out = out;
    }

    Outcome measure(Configuration c) throws Exception {
        String appId = c.applicationIdPrefix() + "-" + BaselineSupport.uniqueSuffix();
        Path stateDir = dataDir.resolve("engine-" + appId);
        // Static membership, as sagalog dev has it: an engine restarted after prefilling takes its place in the
        // group at once instead of waiting out the stopped one's session.
        EngineConfig config = EngineConfig.defaults(servers, stateDir).withApplicationId(appId).withInstanceId(appId + "-engine")
                .withProcessingGuarantee(c.guarantee())
                .withOverrides(Map.of(StreamsConfig.mainConsumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG),
                        "latest"));
        out.printf("%n%s: starting engine %s...%n", c.label(), appId);
        if (c.prefill() > 0) {
            prefill(c, appId, config);
            out.printf("%s: starting engine %s again; it restores the prefilled stores first...%n", c.label(), appId);
        }
        long starting = System.nanoTime();
        try (NodeLauncher.Node node = launcher.startNode(new NodeLauncher.NodeSpec(config, PARTITIONS, catalog,
                true))) {
            if (c.prefill() > 0) {
                out.printf(Locale.ROOT, "%s: engine RUNNING after %.1f s, %,d changelog records restored%n", c.label(),
                        (System.nanoTime() - starting) / 1e9, node.restoredRecords());
                awaitCompactions(c, node);
            }
            int connections = c.isOpen() ? options.openLoopConnections(c.ratePerSecond()) : c.clients();
            out.printf("%s: %d s warmup, %d s measured, up to %d connections%n", c.label(),
                    options.warmup().toSeconds(), options.duration().toSeconds(), connections);
            LoadDriver.Run run;
            WindowProbe.Result window;
            try (SubmitClient client = new SubmitClient(clientVertx, node.port(), connections, c.workload())) {
                ProgressListener progress = ProgressListener.printingTo(out, c.label(), PROGRESS_EVERY);
                WindowProbe probe = WindowProbe.start(admin, options.warmup(), options.duration(), client::settled,
                        hints(appId));
                try {
                    run = c.isOpen()
                            ? LoadDriver.openLoop(c.ratePerSecond(), options.warmup(), options.duration(),
                                    client::submit, progress)
                            : LoadDriver.closedLoop(c.clients(), options.warmup(), options.duration(),
                                    client::submit, progress);
                } catch (Exception | Error e) {
                    probe.abandon();
                    throw e;
                }
                window = probe.await();
            }
            Outcome outcome = outcome(c, appId, run, window);
            out.println(oneLine(outcome));
            return outcome;
        } finally {
            removeEngine(appId, stateDir);
        }
    }

    /**
     * Fills the stores of engine {@code appId} with {@code c.prefill()} finished transactions: runs a few real ones
     * of the workload, stops the engine cleanly (its changelogs are then complete), and appends clones of one of
     * them to its changelogs ({@link StorePrefill}); the next start restores them.
     */
    private void prefill(Configuration c, String appId, EngineConfig config) throws Exception {
        int seeds = 20;
        try (NodeLauncher.Node node = launcher.startNode(new NodeLauncher.NodeSpec(config, PARTITIONS, catalog, true));
             SubmitClient client = new SubmitClient(clientVertx, node.port(), 4, c.workload())) {
            for (long seq = 0; seq < seeds; seq++) {
                client.submit(seq).toCompletableFuture().get(60, TimeUnit.SECONDS);
            }
            // The cache is flushed to the changelogs at each commit (every 100 ms) and when the engine closes.
        }
        StorePrefill.Template template = StorePrefill.capture(servers, appId);
        out.printf("%s: prefilling the stores with %,d clones of finished transaction %s (%d changelog entries "
                + "each)...%n", c.label(), c.prefill(), template.txId(), template.entries().size());
        StorePrefill.write(servers, template, c.prefill(), PARTITIONS, 42, out);
    }

    /**
     * Waits until RocksDB has compacted what the restore wrote. A store that grew to a million transactions over
     * weeks has no such backlog; one restored in seconds has gigabytes of it, and measuring during those compactions
     * would charge the store's size for a burst that only the prefill causes.
     */
    private void awaitCompactions(Configuration c, NodeLauncher.Node node) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + Duration.ofSeconds(90).toNanos();
        int quiet = 0;
        long nextReport = started;
        while (quiet < 3 && System.nanoTime() < deadline) {
            double running = 0;
            double pendingBytes = 0;
            for (var e : node.engineMetrics().entrySet()) {
                String name = e.getKey().name();
                boolean compacting = name.equals("num-running-compactions") || name.equals("compaction-pending");
                if (!e.getKey().group().equals("stream-state-metrics")
                        || !(compacting || name.equals("estimate-pending-compaction-bytes"))) {
                    continue;
                }
                double d = e.getValue().metricValue() instanceof Number n ? n.doubleValue() : 0;
                if (compacting) {
                    running += d;
                } else {
                    pendingBytes += d;
                }
            }
            quiet = running == 0 && pendingBytes == 0 ? quiet + 1 : 0;
            if (System.nanoTime() >= nextReport && quiet == 0) {
                out.printf(Locale.ROOT, "%s: RocksDB compacting the restored stores (%.0f running or pending, %.0f MB "
                        + "to compact)...%n", c.label(), running, pendingBytes / 1e6);
                nextReport = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            }
            Thread.sleep(1_000);
        }
        double keys = 0;
        for (var e : node.engineMetrics().entrySet()) {
            if (e.getKey().name().equals("estimate-num-keys") && "tx-state".equals(e.getKey().tags().get("rocksdb-state-id"))
                    && e.getValue().metricValue() instanceof Number n) {
                keys += n.doubleValue();
            }
        }
        out.printf(Locale.ROOT, "%s: compactions %s after %.1f s; tx-state holds about %,.0f transactions (RocksDB's "
                + "estimate)%n", c.label(), quiet >= 3 ? "done" : "still running", (System.nanoTime() - started) / 1e9, keys);
        awaitWriteback(c);
    }

    /**
     * Waits until the kernel has written the prefill's gigabytes to disk (Linux: {@code Dirty} in /proc/meminfo), so
     * that its writeback does not take the CPU during the measurement; does nothing where that file is missing.
     */
    private void awaitWriteback(Configuration c) throws InterruptedException {
        Path meminfo = Path.of("/proc/meminfo");
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        long dirtyKb = Long.MAX_VALUE;
        while (java.nio.file.Files.isReadable(meminfo) && System.nanoTime() < deadline) {
            try {
                dirtyKb = java.nio.file.Files.readAllLines(meminfo).stream().filter(l -> l.startsWith("Dirty:"))
                        .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0L);
            } catch (java.io.IOException | NumberFormatException e) {
                return;
            }
            if (dirtyKb < 64 * 1024) {
                return;
            }
            out.printf(Locale.ROOT, "%s: waiting for the kernel to write %.0f MB of the prefill to disk...%n", c.label(),
                    dirtyKb / 1024.0);
            Thread.sleep(2_000);
        }
    }

    /** Thread-name hints: the engine's clients and threads carry its application id; participants their name. */
    static Map<String, String> hints(String applicationId) {
        Map<String, String> hints = new LinkedHashMap<>();
        hints.put(applicationId, ComponentCpu.ENGINE);
        hints.put("sagalog-participant-", ComponentCpu.PARTICIPANTS);
        hints.put(BenchCommand.PARTICIPANT_CLIENT_PREFIX, ComponentCpu.PARTICIPANTS);
        return hints;
    }

    /**
     * The topics whose writes a configuration is charged for: Sagalog's own ({@code sagalog.*}) and this engine's
     * changelogs and repartition topics; Kafka's internal topics are kept by {@link KafkaFootprint.Delta#only}.
     */
    static boolean chargedTo(String topic, String applicationId) {
        return topic.startsWith("sagalog.") || topic.startsWith(applicationId + "-");
    }

    static Outcome outcome(Configuration c, String appId, LoadDriver.Run run, WindowProbe.Result window) {
        KafkaFootprint.PerTransaction perTx = null;
        if (window.settled() > 0) {
            perTx = window.footprint().only(t -> chargedTo(t, appId)).perTransaction(window.settled());
        }
        Map<String, Double> cpu = new LinkedHashMap<>(window.cpu().cpuSecondsByComponent());
        if (!Double.isNaN(window.cpu().unattributedCpuSeconds())) {
            cpu.put(UNATTRIBUTED, window.cpu().unattributedCpuSeconds());
        }
        double tx = run.throughputPerSecond();
        BenchResult result = new BenchResult(c.workload().label(), c.mode(), c.guarantee(), c.ratePerSecond(),
                c.clients(), run.measuredSeconds(), tx, tx * c.workload().participantCallsPerTransaction(),
                run.correctedMs(50), run.correctedMs(95), run.correctedMs(99), run.correctedMs(100), run.failed(),
                run.incomplete(), perTx == null ? null : perTx.totalRecords(), perTx == null ? null : perTx.totalBytes(),
                cpu, window.cpu().heapUsedMb(), c.prefill());
        return new Outcome(c, appId, result, run, perTx);
    }

    private static String oneLine(Outcome o) {
        BenchResult r = o.result();
        return String.format(Locale.ROOT, "%s: %.0f tx/s, %.0f steps/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms, "
                        + "%d failed, %d incomplete%s", o.configuration().label(), r.completedPerSecond(),
                r.stepsPerSecond(), r.p50Ms(), r.p99Ms(), r.maxMs(), r.failed(), r.incomplete(),
                o.run().failureSamples().isEmpty() ? "" : "; failures: " + o.run().failureSamples());
    }

    /**
     * Deletes the engine's topics and state directory; best effort, the figures stand even if this fails. Its
     * consumer group is left to expire: Kafka Streams does not leave the group on close, so the broker refuses to
     * delete it until the session times out, and an idle group costs nothing.
     */
    private void removeEngine(String appId, Path stateDir) {
        try {
            List<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(appId + "-")).toList();
            if (!topics.isEmpty()) {
                BaselineSupport.deleteTopics(admin, topics);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            out.println("(could not remove the topics of " + appId + ": " + e.getMessage() + ")");
        }
        try {
            BaselineSupport.deleteRecursively(stateDir);
        } catch (RuntimeException e) {
            out.println("(could not remove " + stateDir + ": " + e.getMessage() + ")");
        }
    }
}
