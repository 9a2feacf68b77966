package io.sagalog.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The threads {@link ComponentCpu} cannot see through the JVM: its own GC, VM and JIT threads and RocksDB's
 * background threads, read from Linux's {@code /proc/self/task} (names cut to 15 characters, CPU in clock ticks).
 * Elsewhere there are none.
 */
final class NativeThreads {
    /** Native or hidden threads read from /proc, by their (15-character) Linux names. */
    private static final List<String> NATIVE_PREFIXES = List.of("GC Thread", "G1 ", "C1 CompilerThre",
            "C2 CompilerThre", "VM Thread", "VM Periodic", "Service Thread", "Monitor Deflati", "Sweeper thread",
            "rocksdb:");
    /** Clock ticks per second in /proc/[pid]/task/[tid]/stat; 100 on every common Linux build. */
    private static final long USER_HZ = 100;

    private NativeThreads() {
    }

    /**
     * JVM-internal and RocksDB threads from {@code /proc/self/task}, keyed by {@code -(startTicks << 22 | tid)}; empty
     * where there is no such directory. Threads that end while being read are skipped.
     */
    static Map<Long, ComponentCpu.ThreadCpu> read() {
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return Map.of();
        }
        Map<Long, ComponentCpu.ThreadCpu> threads = new HashMap<>();
        try (Stream<Path> dirs = Files.list(tasks)) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                try {
                    String name = Files.readString(dir.resolve("comm")).trim();
                    if (isNative(name)) {
                        String stat = Files.readString(dir.resolve("stat"));
                        long tid = Long.parseLong(dir.getFileName().toString());
                        threads.put(-((startTicks(stat) << 22) | tid),
                                new ComponentCpu.ThreadCpu(name, cpuTicks(stat) * (1_000_000_000L / USER_HZ)));
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile, or an unexpected format: leave it out
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return threads;
    }

    static boolean isNative(String linuxThreadName) {
        return ComponentCpu.startsWithAny(linuxThreadName, NATIVE_PREFIXES);
    }

    /** utime + stime from a {@code stat} line: fields 14 and 15, counted after the parenthesised name. */
    static long cpuTicks(String stat) {
        String[] fields = statFields(stat);
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** starttime, field 22: with the thread id it tells a thread from a later one that reuses the id. */
    static long startTicks(String stat) {
        return Long.parseLong(statFields(stat)[19]);
    }

    /** The fields after the parenthesised name (which may hold spaces); element 0 is field 3, the state. */
    private static String[] statFields(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    }
}
