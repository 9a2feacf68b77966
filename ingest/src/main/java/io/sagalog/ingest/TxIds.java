package io.sagalog.ingest;

import java.security.SecureRandom;
import java.util.Random;
import java.util.UUID;

/**
 * Transaction ids: UUIDs of version 7 (RFC 9562), whose first 48 bits are the creation time in milliseconds and the
 * other 74 free bits random. They are still plain UUIDs to every client, but ids made later sort later, and that
 * matters to the engine's RocksDB stores, which are keyed by txId: new transactions land next to each other at the
 * end of the key range, so compacting them rewrites recent data only, where random (version 4) ids would scatter
 * every new key over the whole store and make each compaction rewrite old, finished transactions again. The random
 * bits come from {@link SecureRandom}, so ids are as hard to guess as {@link UUID#randomUUID()}'s.
 */
public final class TxIds {
    private static final Random RANDOM = new SecureRandom();

    private TxIds() {}

    /** A new id for a transaction created at {@code epochMillis}. */
    public static String next(long epochMillis) {
        return timeOrdered(epochMillis, RANDOM).toString();
    }

    /** A version 7 UUID for this time, with its random bits from {@code random}. */
    public static UUID timeOrdered(long epochMillis, Random random) {
        long msb = (epochMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (random.nextInt() & 0x0FFF);
        long lsb = random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }
}
