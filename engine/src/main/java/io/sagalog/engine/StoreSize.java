package io.sagalog.engine;

/**
 * One state store's size on this instance, summed over its tasks: RocksDB's own estimates
 * ({@code rocksdb.estimate-num-keys}, {@code rocksdb.total-sst-files-size}), read at scrape time from Kafka Streams'
 * metrics. Estimates: deletes not compacted yet still count.
 */
public record StoreSize(String store, long entries, long bytes) {

    /** The sizes of the engine's persistent stores from Kafka Streams' metrics (group {@code stream-state-metrics}). */
    public static java.util.List<StoreSize> of(java.util.Map<org.apache.kafka.common.MetricName,
            ? extends org.apache.kafka.common.Metric> metrics) {
        java.util.Map<String, long[]> sums = new java.util.TreeMap<>();
        metrics.forEach((name, metric) -> {
            if (!name.group().equals("stream-state-metrics")) {
                return;
            }
            int slot = switch (name.name()) {
                case "estimate-num-keys" -> 0;
                case "total-sst-files-size" -> 1;
                default -> -1;
            };
            String store = name.tags().get("rocksdb-state-id");
            if (slot < 0 || store == null || !(metric.metricValue() instanceof Number value)) {
                return;
            }
            sums.computeIfAbsent(store, s -> new long[2])[slot] += value.longValue();
        });
        return sums.entrySet().stream().map(e -> new StoreSize(e.getKey(), e.getValue()[0], e.getValue()[1])).toList();
    }
}
