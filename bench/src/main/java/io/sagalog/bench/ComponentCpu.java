package io.sagalog.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where the CPU went during a run, per component: the embedded broker, the Streams engine, the HTTP ingest, the
 * participants, the load generator itself, and the JVM. With everything in one process on two cores, throughput
 * is bounded by total CPU, so a slower configuration is explained by which component burned more; and if the load
 * generator or the broker dominates, the figure says more about the setup than about Sagalog.
 *
 * <p>The grouping is by thread name, which is what the libraries give us: Kafka's broker threads, Kafka Streams'
 * {@code <client id>-StreamThread-n} (its producers and consumers carry that name too), Vert.x's event loops and
 * workers, Sagalog's own named threads, {@code bench-} for load. Clients whose names say nothing (a producer
 * called {@code producer-3}) land in {@code other} unless a hint maps a part of their name to a component: pass
 * the engine's application id as a hint for {@code engine} to catch its admin client and cleanup thread.
 *
 * <p>The JVM's own threads (GC workers, the VM thread, the JIT compilers) and RocksDB's background threads are
 * invisible to {@link ThreadMXBean}: the first are hidden or not Java threads at all, the second are native. Yet
 * early in a run the JIT alone can take a core, and RocksDB compactions are part of the engine's cost. So on Linux
 * these are read from {@code /proc/self/task} as well (names cut to 15 characters, CPU in 10 ms ticks), under
 * negative keys made of the Linux thread id and start time, so they never clash with Java thread ids and a reused
 * Linux id is not taken for the same thread; elsewhere they are simply missing.
 *
 * <p>Limits, by construction: CPU is read per live thread, so a thread that ended between the two snapshots takes
 * its CPU with it (short-lived threads are rare here, but a Streams rebalance or a restarted client can lose some),
 * and native threads other than those recognised are not read. Both end up in
 * {@link Usage#unattributedCpuSeconds()}, the process total minus the sum of threads, so the books still balance.
 * GC is also given as collection time. Where threads come and go (a
 * baseline that starts and closes its own clients), a {@link Tracker} samples in the background and keeps the last
 * figure of each thread, losing at most one sampling interval of a thread that ends.
 */
public final class ComponentCpu {
    public static final String BROKER = "broker";
    public static final String ENGINE = "engine";
    public static final String INGEST_HTTP = "ingest-http";
    public static final String PARTICIPANTS = "participants";
    public static final String LOAD = "load";
    public static final String JVM = "jvm";
    public static final String OTHER = "other";
    /** All components, in the order reports list them. */
    public static final List<String> COMPONENTS = List.of(BROKER, ENGINE, INGEST_HTTP, PARTICIPANTS, LOAD, JVM, OTHER);

    /** Prefixes short enough to match the 15-character Linux names of native threads too. */
    private static final List<String> JVM_PREFIXES = List.of("C1 CompilerThre", "C2 CompilerThre",
            "GC Thread", "G1 ", "VM Thread", "VM Periodic", "Reference Handler", "Finalizer",
            "Signal Dispatcher", "Common-Cleaner", "Notification Thread", "Attach Listener", "Service Thread",
            "Monitor Deflati", "Sweeper thread", "JFR ", "process reaper", "DestroyJavaVM",
            "RMI ", "JMX ", "Shenandoah", "ZGC", "Cleaner-");
    private static final List<String> ENGINE_MARKERS = List.of("StreamThread", "StateUpdater", "sagalog-registry",
            "sagalog-engine", "rocksdb:");
    private static final List<String> PARTICIPANT_PREFIXES = List.of("sagalog-participant", "sagalog-http-dispatcher");
    private static final List<String> INGEST_PREFIXES = List.of("vert.x-eventloop", "vert.x-worker",
            "vert.x-internal-blocking", "vert.x-acceptor", "vertx-blocked-thread-checker", "sagalog-ingest",
            "sagalog-journal-follower");
    private static final List<String> BROKER_PREFIXES = List.of("data-plane-", "kafka-request-handler",
            "kafka-network", "broker-", "controller-", "quorum-", "raft-", "group-coordinator",
            "share-coordinator", "transaction-coordinator", "kafka-scheduler", "kafka-log-cleaner", "LogCleaner",
            "ReplicaFetcher", "ReplicaAlterLogDirs", "ExpirationReaper", "ThrottledChannelReaper",
            "TxnMarkerSenderThread", "AddPartitionsToTxnSenderThread", "LogDirFailureHandler", "executor-",
            "client-metrics-reaper", "RemoteLogManager", "remote-log", "persister-", "metrics-meter-tick-thread",
            "kafka-socket-acceptor", "SensorExpiry", "feature-", "node-to-controller", "kafka-log-",
            "ExternalSocketAcceptor", "share-group", "kafka-producer-state-manager", "coordinator-",
            "transaction-log-manager", "PersisterStateManager", "network-partition-metadata-client-reaper");
    /** {@code kafka-<node id>-...}: the KRaft metadata loader, publisher and raft threads. */
    private static final Pattern BROKER_NODE = Pattern.compile("kafka-\\d+-.*");

    private ComponentCpu() {
    }

    /**
     * CPU of every live thread at one moment, with the process total and the JVM's memory and GC counters.
     *
     * @param threads         thread id (never reused within a JVM) to name and CPU nanoseconds; native threads
     *                        under a negative key made of their Linux thread id and start time
     * @param processCpuNanos CPU of the whole process, or -1 where the JVM does not tell
     */
    public record Snapshot(long wallNanos, Map<Long, ThreadCpu> threads, long processCpuNanos, long heapUsedBytes,
                           long gcMillis, long gcCount) {
        public Snapshot {
            threads = Map.copyOf(threads);
        }
    }

    /** One thread's name and CPU time so far. */
    public record ThreadCpu(String name, long cpuNanos) {}

    /**
     * CPU between two snapshots.
     *
     * @param cpuSecondsByComponent  every {@link #COMPONENTS component} (zeros included) plus any hinted one
     * @param unattributedCpuSeconds process CPU not found in live threads: JVM native threads (GC, VM, often the
     *                               JIT) and threads that ended in between; NaN if the process total is unknown
     * @param processCpuSeconds      CPU of the whole process; NaN if unknown
     * @param heapUsedMb             heap in use at the second snapshot (garbage included, so only indicative)
     * @param gcSeconds              time spent in collections, as the collectors report it
     */
    public record Usage(Map<String, Double> cpuSecondsByComponent, double unattributedCpuSeconds,
                        double processCpuSeconds, double wallSeconds, double heapUsedMb, double gcSeconds,
                        long gcCount) {
        public Usage {
            cpuSecondsByComponent = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(cpuSecondsByComponent));
        }

        /** Sum over the components. */
        public double attributedCpuSeconds() {
            return cpuSecondsByComponent.values().stream().mapToDouble(Double::doubleValue).sum();
        }
    }

    /** Reads all live threads' CPU. Costs a few milliseconds with a few hundred threads. */
    public static Snapshot take() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (mx.isThreadCpuTimeSupported() && !mx.isThreadCpuTimeEnabled()) {
            mx.setThreadCpuTimeEnabled(true);
        }
        long wall = System.nanoTime();
        long[] ids = mx.getAllThreadIds();
        ThreadInfo[] infos = mx.getThreadInfo(ids);
        Map<Long, ThreadCpu> threads = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            long cpu = mx.isThreadCpuTimeSupported() ? mx.getThreadCpuTime(ids[i]) : -1;
            if (infos[i] != null && cpu >= 0) {
                threads.put(ids[i], new ThreadCpu(infos[i].getThreadName(), cpu));
            }
        }
        threads.putAll(NativeThreads.read());
        long process = -1;
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            process = sun.getProcessCpuTime();
        }
        long gcMillis = 0;
        long gcCount = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcMillis += Math.max(0, gc.getCollectionTime());
            gcCount += Math.max(0, gc.getCollectionCount());
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new Snapshot(wall, threads, process, heap, gcMillis, gcCount);
    }

    /** {@link #delta(Snapshot, Snapshot, Map)} without hints. */
    public static Usage delta(Snapshot before, Snapshot after) {
        return delta(before, after, Map.of());
    }

    /**
     * CPU per component from {@code before} to {@code after}. A thread is counted from zero if it started in
     * between, and not at all if it ended in between (its CPU shows in the unattributed figure).
     *
     * @param hints thread-name substring to component, tried before the built-in rules in iteration order
     */
    public static Usage delta(Snapshot before, Snapshot after, Map<String, String> hints) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        COMPONENTS.forEach(c -> seconds.put(c, 0.0));
        hints.values().forEach(c -> seconds.putIfAbsent(c, 0.0));
        long attributed = 0;
        for (Map.Entry<Long, ThreadCpu> e : after.threads().entrySet()) {
            ThreadCpu earlier = before.threads().get(e.getKey());
            long cpu = e.getValue().cpuNanos() - (earlier == null ? 0 : earlier.cpuNanos());
            if (cpu > 0) {
                attributed += cpu;
                seconds.merge(componentOf(e.getValue().name(), hints), cpu / 1e9, Double::sum);
            }
        }
        boolean known = before.processCpuNanos() >= 0 && after.processCpuNanos() >= 0;
        double process = known ? (after.processCpuNanos() - before.processCpuNanos()) / 1e9 : Double.NaN;
        return new Usage(seconds, known ? process - attributed / 1e9 : Double.NaN, process,
                (after.wallNanos() - before.wallNanos()) / 1e9, after.heapUsedBytes() / (1024.0 * 1024.0),
                (after.gcMillis() - before.gcMillis()) / 1000.0, after.gcCount() - before.gcCount());
    }

    /**
     * Samples every thread's CPU in the background (on a {@code bench-cpu-tracker} thread, which costs a few ms per
     * sample and is filed under load) and remembers each thread's last figure, so threads that end before
     * {@link #stop} still count, up to their last sample.
     */
    public static final class Tracker implements AutoCloseable {
        private final Snapshot start;
        private final Map<Long, ThreadCpu> lastSeen = new java.util.concurrent.ConcurrentHashMap<>();
        private final Thread sampler;
        private volatile boolean running = true;

        private Tracker(Duration every) {
            this.start = take();
            this.sampler = new Thread(() -> {
                while (running) {
                    java.util.concurrent.locks.LockSupport.parkNanos(every.toNanos());
                    if (running) {
                        lastSeen.putAll(take().threads());
                    }
                }
            }, "bench-cpu-tracker");
            sampler.setDaemon(true);
            sampler.start();
        }

        /** Starts sampling every {@code every}. */
        public static Tracker start(Duration every) {
            return new Tracker(every);
        }

        /** Stops sampling and returns CPU from the start until now; threads that ended count up to their last
         * sample. */
        public Usage stop(Map<String, String> hints) {
            close();
            Snapshot end = take();
            Map<Long, ThreadCpu> threads = new HashMap<>(lastSeen);
            threads.putAll(end.threads());
            return delta(start, new Snapshot(end.wallNanos(), threads, end.processCpuNanos(), end.heapUsedBytes(),
                    end.gcMillis(), end.gcCount()), hints);
        }

        @Override
        public void close() {
            running = false;
            java.util.concurrent.locks.LockSupport.unpark(sampler);
            try {
                sampler.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@link #componentOf(String, Map)} without hints. */
    public static String componentOf(String threadName) {
        return componentOf(threadName, Map.of());
    }

    /**
     * The component a thread belongs to, by its name: hints first, then the JVM's own threads, the engine (before
     * load, since a bench engine's application id may itself start with {@code bench-}), participants, ingest,
     * broker, load, and else {@code other}.
     */
    public static String componentOf(String threadName, Map<String, String> hints) {
        for (Map.Entry<String, String> hint : hints.entrySet()) {
            if (threadName.contains(hint.getKey())) {
                return hint.getValue();
            }
        }
        if (startsWithAny(threadName, JVM_PREFIXES) || threadName.contains("CompilerThread")) {
            return JVM;
        }
        for (String marker : ENGINE_MARKERS) {
            if (threadName.contains(marker)) {
                return ENGINE;
            }
        }
        if (startsWithAny(threadName, PARTICIPANT_PREFIXES)) {
            return PARTICIPANTS;
        }
        if (startsWithAny(threadName, INGEST_PREFIXES)) {
            return INGEST_HTTP;
        }
        if (startsWithAny(threadName, BROKER_PREFIXES) || BROKER_NODE.matcher(threadName).matches()) {
            return BROKER;
        }
        if (threadName.startsWith("bench-")) {
            return LOAD;
        }
        return OTHER;
    }

    static boolean startsWithAny(String name, List<String> prefixes) {
        for (String p : prefixes) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
