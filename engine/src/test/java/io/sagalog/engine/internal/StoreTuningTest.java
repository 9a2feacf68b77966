package io.sagalog.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * The engine's RocksDB options, and what they must not break: stores written before them, with Kafka Streams'
 * defaults (universal compaction, no compression), as every existing data directory was.
 */
class StoreTuningTest {

    static {
        RocksDB.loadLibrary();
    }

    @Test
    void shouldUseLevelCompactionAndLz4() {
        try (Options options = new Options()) {
            new StoreTuning().setConfig("tx-state", options, new HashMap<>());

            assertThat(options.compactionStyle()).isEqualTo(CompactionStyle.LEVEL);
            assertThat(options.levelCompactionDynamicLevelBytes()).isTrue();
            assertThat(options.compressionType()).isEqualTo(CompressionType.LZ4_COMPRESSION);
        }
    }

    @Test
    void shouldOpenAndReadAStoreWrittenWithKafkaStreamsDefaults(@TempDir Path dir) throws Exception {
        String path = dir.resolve("tx-state").toString();
        int keys = 50_000;
        try (Options universal = new Options().setCreateIfMissing(true).setCompactionStyle(CompactionStyle.UNIVERSAL)
                .setCompressionType(CompressionType.NO_COMPRESSION).setWriteBufferSize(256 * 1024);
             RocksDB db = RocksDB.open(universal, path); FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            for (int i = 0; i < keys; i++) {
                db.put(key(i), ("state of transaction " + i).getBytes(StandardCharsets.UTF_8));
                if (i % 10_000 == 0) {
                    db.flush(flush); // several sorted runs, as a store that lived a while has
                }
            }
            db.flush(flush);
        }

        try (Options tuned = new Options().setCreateIfMissing(true)) {
            new StoreTuning().setConfig("tx-state", tuned, new HashMap<>());
            try (RocksDB db = RocksDB.open(tuned, path)) {
                for (int i = 0; i < keys; i += 997) {
                    assertThat(new String(db.get(key(i)), StandardCharsets.UTF_8)).isEqualTo("state of transaction " + i);
                }
                db.put(key(keys), "new".getBytes(StandardCharsets.UTF_8));
                db.compactRange(); // the old files are rewritten under the new options without complaint
                assertThat(db.get(key(0))).isNotNull();
                assertThat(new String(db.get(key(keys)), StandardCharsets.UTF_8)).isEqualTo("new");
            }
        }
    }

    private static byte[] key(int i) {
        return String.format("%08d-txid", i).getBytes(StandardCharsets.UTF_8);
    }
}
