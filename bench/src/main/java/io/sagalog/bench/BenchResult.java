package io.sagalog.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One measured configuration of {@code sagalog bench}, flattened to what a results table, a CSV file and a later
 * comparison need. Throughput and latency alone cannot explain a difference between two configurations; the cost
 * figures (Kafka records and bytes per transaction, CPU per component, heap) say where the time and the I/O went.
 *
 * @param workload               what was run, e.g. {@code saga-3-steps-1kb}
 * @param mode                   {@code open} or {@code closed}
 * @param guarantee              the engine's processing guarantee
 * @param offeredRatePerSecond   the open loop's rate; null for a closed loop
 * @param concurrency            the closed loop's clients; null for an open loop
 * @param measuredSeconds        length of the measured window
 * @param completedPerSecond     transactions completed per second
 * @param stepsPerSecond         saga steps completed per second (transactions × steps)
 * @param p50Ms                  latency percentiles in milliseconds (corrected for coordinated omission in an open
 *                               loop); NaN when nothing completed
 * @param failed                 operations that failed
 * @param incomplete             operations that had not finished when the run gave up on them
 * @param recordsPerTx           Kafka records written per transaction, all topics; null if not measured
 * @param bytesPerTx             Kafka log bytes written per transaction, all topics; null if not measured
 * @param cpuSecondsByComponent  CPU seconds during the window per component (see {@link ComponentCpu})
 * @param heapMb                 heap in use at the end of the window, MB; null if not measured
 * @param finishedInStores       finished transactions put into the engine's stores before the run (--prefill)
 */
public record BenchResult(String workload, String mode, String guarantee, Double offeredRatePerSecond,
                          Integer concurrency, double measuredSeconds, double completedPerSecond,
                          double stepsPerSecond, double p50Ms, double p95Ms, double p99Ms, double maxMs, long failed,
                          long incomplete, Double recordsPerTx, Double bytesPerTx,
                          Map<String, Double> cpuSecondsByComponent, Double heapMb, long finishedInStores) {
    /** A run on empty stores. */
    public BenchResult(String workload, String mode, String guarantee, Double offeredRatePerSecond,
                       Integer concurrency, double measuredSeconds, double completedPerSecond,
                       double stepsPerSecond, double p50Ms, double p95Ms, double p99Ms, double maxMs, long failed,
                       long incomplete, Double recordsPerTx, Double bytesPerTx,
                       Map<String, Double> cpuSecondsByComponent, Double heapMb) {
        this(workload, mode, guarantee, offeredRatePerSecond, concurrency, measuredSeconds, completedPerSecond,
                stepsPerSecond, p50Ms, p95Ms, p99Ms, maxMs, failed, incomplete, recordsPerTx, bytesPerTx,
                cpuSecondsByComponent, heapMb, 0);
    }

    public BenchResult {
        cpuSecondsByComponent = cpuSecondsByComponent == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(cpuSecondsByComponent));
    }
}
