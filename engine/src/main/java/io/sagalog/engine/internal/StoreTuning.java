package io.sagalog.engine.internal;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;

/**
 * RocksDB options of the engine's stores. Kafka Streams' defaults (universal compaction, no compression) suit small
 * stores; the engine's grow with every finished transaction. Level compaction rewrites only the level that overflows
 * instead of merging whole sorted runs, so the cost of a compaction stays proportional to what was written, not to
 * the store's size; LZ4 halves the bytes of the Avro records on disk for little CPU.
 */
public final class StoreTuning implements RocksDBConfigSetter {
    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        options.setCompactionStyle(CompactionStyle.LEVEL);
        options.setLevelCompactionDynamicLevelBytes(true);
        options.setCompressionType(CompressionType.LZ4_COMPRESSION);
    }

    @Override
    public void close(String storeName, Options options) {
        // nothing allocated here
    }
}
