package io.sagalog.bench;

/**
 * What a bare building block (a producer, a Streams pass-through, a Vert.x endpoint appending to Kafka) achieves
 * on the same broker and machine as the bench. Sagalog's own figures mean little in isolation on a shared 2-core
 * box; as a fraction of these ceilings they say how much the saga engine itself costs.
 *
 * @param name               which baseline, with its main setting, e.g. {@code producer acks=all 1024 B}
 * @param throughputPerSecond the rate achieved in the measured window
 * @param unit               what {@code throughputPerSecond} counts, e.g. {@code records/s} or {@code req/s}
 * @param p50Ms              median latency in ms where the baseline measures one meaningfully, else null
 * @param p99Ms              p99 latency in ms where meaningful, else null
 * @param megabytesPerSecond payload MB/s (10^6 bytes) where meaningful, else null
 * @param notes              settings and caveats a reader needs to interpret the figure
 */
public record BaselineResult(String name, double throughputPerSecond, String unit, Double p50Ms, Double p99Ms,
                             Double megabytesPerSecond, String notes) {}
