package io.sagalog.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ComponentCpuTest {
    private static void assertComponent(String component, String... threadNames) {
        for (String name : threadNames) {
            assertThat(ComponentCpu.componentOf(name)).as(name).isEqualTo(component);
        }
    }

    @Test
    void brokerThreads() {
        assertComponent("broker", "data-plane-kafka-request-handler-3",
                "data-plane-kafka-network-thread-1-ListenerName(PLAINTEXT)-PLAINTEXT-0", "kafka-request-handler-0",
                "kafka-network-thread-1-ListenerName(CONTROLLER)-PLAINTEXT-1", "broker-1-lifecycle-manager-event-handler",
                "controller-1-to-controller-registration-channel-manager", "quorum-controller-1-event-handler",
                "raft-expiration-reaper", "kafka-1-raft-io-thread", "kafka-1-metadata-loader-event-handler",
                "group-coordinator-event-processor-0", "ReplicaFetcherThread-0-2", "kafka-log-cleaner-thread-0",
                "kafka-scheduler-4", "ExpirationReaper-1-Produce", "ThrottledChannelReaper-Fetch",
                "TxnMarkerSenderThread-1", "LogDirFailureHandler");
    }

    @Test
    void engineThreads() {
        assertComponent("engine", "bench-at-least-once-1f2e-8c1b4a3e-StreamThread-1",
                "sagalog-engine-7d3c-StateUpdater-1",
                "kafka-producer-network-thread | sagalog-engine-7d3c-StreamThread-1-producer", "sagalog-registry");
    }

    @Test
    void hintsCatchTheEngineClientsWhoseNamesOnlyCarryItsId() {
        String admin = "kafka-admin-client-thread | bench-eos-42-admin";
        assertThat(ComponentCpu.componentOf(admin)).isEqualTo("other");
        assertThat(ComponentCpu.componentOf(admin, Map.of("bench-eos-42", "engine"))).isEqualTo("engine");
        assertThat(ComponentCpu.componentOf("kafka-producer-network-thread | producer-3",
                Map.of("producer-3", "ingest-http"))).isEqualTo("ingest-http");
    }

    @Test
    void ingestParticipantsLoadJvmAndOther() {
        assertComponent("ingest-http", "vert.x-eventloop-thread-0", "vert.x-worker-thread-3",
                "vert.x-internal-blocking-0", "vert.x-acceptor-thread-0", "sagalog-ingest-sender",
                "sagalog-journal-follower");
        assertComponent("participants", "sagalog-participant-bench-p1", "sagalog-http-dispatcher");
        assertComponent("load", "bench-load-driver", "bench-client-3", "bench-journal-watcher");
        assertComponent("jvm", "C2 CompilerThread0", "C1 CompilerThread0", "GC Thread#0", "VM Thread",
                "Reference Handler", "Finalizer", "Signal Dispatcher", "Common-Cleaner", "Notification Thread");
        assertComponent("other", "main", "kafka-producer-network-thread | producer-1", "pool-3-thread-1",
                "kafka-coordinator-heartbeat-thread | some-group");
    }

    @Test
    void deltaSumsThreadsPerComponentAndCountsNewThreadsFromZero() {
        ComponentCpu.Snapshot before = new ComponentCpu.Snapshot(0, Map.of(
                1L, new ComponentCpu.ThreadCpu("data-plane-kafka-request-handler-0", 1_000_000_000L),
                2L, new ComponentCpu.ThreadCpu("app-StreamThread-1", 500_000_000L),
                3L, new ComponentCpu.ThreadCpu("bench-client-0", 100_000_000L)),
                2_000_000_000L, 0, 100, 3);
        ComponentCpu.Snapshot after = new ComponentCpu.Snapshot(10_000_000_000L, Map.of(
                1L, new ComponentCpu.ThreadCpu("data-plane-kafka-request-handler-0", 3_000_000_000L),
                2L, new ComponentCpu.ThreadCpu("app-StreamThread-1", 4_500_000_000L),
                4L, new ComponentCpu.ThreadCpu("vert.x-eventloop-thread-1", 1_500_000_000L)),
                10_000_000_000L, 256L * 1024 * 1024, 600, 8);

        ComponentCpu.Usage u = ComponentCpu.delta(before, after);

        assertThat(u.cpuSecondsByComponent().keySet()).containsExactlyElementsOf(ComponentCpu.COMPONENTS);
        assertThat(u.cpuSecondsByComponent()).containsEntry("broker", 2.0).containsEntry("engine", 4.0)
                .containsEntry("ingest-http", 1.5).containsEntry("load", 0.0);
        assertThat(u.attributedCpuSeconds()).isEqualTo(7.5);
        assertThat(u.processCpuSeconds()).isEqualTo(8.0);
        assertThat(u.unattributedCpuSeconds()).isEqualTo(0.5); // the thread that ended, GC, VM
        assertThat(u.wallSeconds()).isEqualTo(10.0);
        assertThat(u.heapUsedMb()).isEqualTo(256.0);
        assertThat(u.gcSeconds()).isEqualTo(0.5);
        assertThat(u.gcCount()).isEqualTo(5);
    }

    @Test
    void aRealSnapshotSeesThisThread() {
        ComponentCpu.Snapshot s = ComponentCpu.take();
        assertThat(s.threads().values()).anyMatch(t -> t.name().equals(Thread.currentThread().getName()));
        assertThat(s.heapUsedBytes()).isPositive();
        assertThat(ComponentCpu.delta(s, ComponentCpu.take()).cpuSecondsByComponent().values())
                .allMatch(v -> v >= 0);
    }

    @Test
    void aTrackerKeepsTheCpuOfThreadsThatEndedBeforeItStopped() throws Exception {
        ComponentCpu.Tracker tracker = ComponentCpu.Tracker.start(java.time.Duration.ofMillis(10));
        Thread burner = new Thread(() -> {
            long until = System.nanoTime() + 300_000_000L;
            long x = 0;
            while (System.nanoTime() < until) {
                x += System.nanoTime() % 7;
            }
            if (x == 42) {
                System.out.print("");
            }
        }, "bench-burner");
        burner.start();
        burner.join();
        ComponentCpu.Usage u = tracker.stop(Map.of("bench-burner", "burner"));

        assertThat(u.cpuSecondsByComponent().get("burner")).isGreaterThan(0.0);
    }

    @Test
    void nativeThreadsAreRecognisedByTheirLinuxNames() {
        assertThat(NativeThreads.isNative("C2 CompilerThre")).isTrue();
        assertThat(NativeThreads.isNative("GC Thread#1")).isTrue();
        assertThat(NativeThreads.isNative("rocksdb:low")).isTrue();
        assertThat(NativeThreads.isNative("vert.x-eventloo")).isFalse();
        assertComponent("jvm", "C2 CompilerThre", "C1 CompilerThre", "G1 Conc#0", "VM Periodic Tas");
        assertComponent("engine", "rocksdb:low", "rocksdb:high");
        String stat = "4242 (C2 CompilerThre) S 1 4242 1 0 -1 4194624 100 0 0 0 1234 56 0 0 20 0 30 0 987654 0 0";
        assertThat(NativeThreads.cpuTicks(stat)).isEqualTo(1290);
        assertThat(NativeThreads.startTicks(stat)).isEqualTo(987654);
        assertThat(NativeThreads.cpuTicks("7 (name (with) spaces) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20"))
                .isEqualTo(11 + 12);
    }

    @Test
    void onLinuxTheJvmsHiddenThreadsAreRead() {
        if (java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self/task"))) {
            assertThat(ComponentCpu.take().threads())
                    .anySatisfy((id, t) -> {
                        assertThat(id).isNegative();
                        assertThat(t.name()).startsWith("VM Thread");
                    });
        }
    }
}
