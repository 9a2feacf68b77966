package io.sagalog.engine.internal;

import io.sagalog.engine.TransactionPage;
import io.sagalog.engine.TxStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The {@code tx-index} store: transactions by status and by definition, newest first, so lists never scan.
 *
 * <p>Keys (definition names cannot contain {@code |}):
 * <ul>
 *   <li>{@code s|<status>|<age>|<txId>} = definition name: by status;
 *   <li>{@code d|<definition>|<status>|<age>|<txId>}: by definition and status, for every status but RUNNING;
 *   <li>{@code c|<definition>|<status>}: how many, as a decimal string.
 * </ul>
 * {@code <age>} is {@code Long.MAX_VALUE - createdAt millis} in 16 hex digits, so a forward range reads newest first.
 * Entries are keyed by creation time, not by last update: an entry moves only when the status changes (two
 * changelog records), not on every step. RUNNING has no {@code d|} entries: nearly every transaction passes
 * through RUNNING briefly, and those entries cost two changelog records per transaction (a put, then a
 * tombstone); RUNNING transactions are the ones in flight, few at any time, so a list of the RUNNING ones of a
 * definition reads the {@code s|RUNNING} entries and keeps those whose value names the definition.
 */
public final class TxIndex {
    private static final String EMPTY = "";
    /** Sorts after every character of an age or a txId, to close a prefix range. */
    private static final String END = "~";

    private TxIndex() {}

    /** One entry: enough to sort and find the transaction; the list reads the rest from tx-state. */
    public record Entry(long createdAtMillis, String txId) {
        String cursor() {
            return SortableHex.hex16(Long.MAX_VALUE - createdAtMillis) + "|" + txId;
        }
    }

    /** Moves the transaction's entries when its status changes (or it is new); counts follow. */
    static void update(KeyValueStore<String, String> store, String txId, String definition, long createdAtMillis,
                       TxStatus before, TxStatus after) {
        if (before == after) {
            return;
        }
        String age = SortableHex.hex16(Long.MAX_VALUE - createdAtMillis);
        if (before != null) {
            store.delete("s|" + before + "|" + age + "|" + txId);
            if (before != TxStatus.RUNNING) {
                store.delete("d|" + definition + "|" + before + "|" + age + "|" + txId);
            }
            add(store, countKey(definition, before), -1);
        }
        store.put("s|" + after + "|" + age + "|" + txId, definition);
        if (after != TxStatus.RUNNING) {
            store.put("d|" + definition + "|" + after + "|" + age + "|" + txId, EMPTY);
        }
        add(store, countKey(definition, after), 1);
    }

    /** Removes the transaction's entries (it expired); its count goes down. */
    static void remove(KeyValueStore<String, String> store, String txId, String definition, long createdAtMillis,
                       TxStatus status) {
        String age = SortableHex.hex16(Long.MAX_VALUE - createdAtMillis);
        if (store.get("s|" + status + "|" + age + "|" + txId) == null) {
            return; // removed already (a replay): the count went down then
        }
        store.delete("s|" + status + "|" + age + "|" + txId);
        store.delete("d|" + definition + "|" + status + "|" + age + "|" + txId);
        add(store, countKey(definition, status), -1);
    }

    /** Whether the transaction's status entry is there (a crash mid-commit can leave tx-index behind tx-state). */
    static boolean contains(KeyValueStore<String, String> store, String txId, long createdAtMillis, TxStatus status) {
        return store.get("s|" + status + "|" + SortableHex.hex16(Long.MAX_VALUE - createdAtMillis) + "|" + txId) != null;
    }

    private static String countKey(String definition, TxStatus status) {
        return "c|" + definition + "|" + status;
    }

    private static void add(KeyValueStore<String, String> store, String key, long delta) {
        String current = store.get(key);
        long next = (current == null ? 0 : Long.parseLong(current)) + delta;
        if (next <= 0) {
            store.delete(key);
        } else {
            store.put(key, Long.toString(next));
        }
    }

    /**
     * Up to {@code limit} entries, newest first, after the cursor (exclusive). With no status, each status is read
     * up to the limit and the results merged: at most {@code limit} entries per status are read, never all.
     *
     * @param status null for every status
     * @param definition null for every definition
     * @param after a cursor from an earlier page, or null for the first page
     */
    public static List<Entry> list(ReadOnlyKeyValueStore<String, String> store, TxStatus status, String definition,
                                   String after, int limit) {
        List<TxStatus> statuses = status != null ? List.of(status) : List.of(TxStatus.values());
        List<Entry> merged = new ArrayList<>();
        for (TxStatus s : statuses) {
            // RUNNING has no d| entries (see above): filter its s| entries by their value instead.
            boolean filter = definition != null && s == TxStatus.RUNNING;
            String prefix = definition == null || filter ? "s|" + s + "|" : "d|" + definition + "|" + s + "|";
            String from = after == null ? prefix : prefix + after + "\u0000";
            int taken = 0;
            try (KeyValueIterator<String, String> it = store.range(from, prefix + END)) {
                while (it.hasNext() && taken < limit) {
                    KeyValue<String, String> next = it.next();
                    if (!filter || definition.equals(next.value)) {
                        merged.add(parse(next.key.substring(prefix.length())));
                        taken++;
                    }
                }
            }
        }
        merged.sort(Comparator.comparing(Entry::cursor));
        return merged.size() > limit ? List.copyOf(merged.subList(0, limit)) : merged;
    }

    private static Entry parse(String ageAndTxId) {
        int bar = ageAndTxId.indexOf('|');
        long age = Long.parseUnsignedLong(ageAndTxId.substring(0, bar), 16);
        return new Entry(Long.MAX_VALUE - age, ageAndTxId.substring(bar + 1));
    }

    /** The cursor that continues after this entry. */
    public static String cursorAfter(Entry entry) {
        return entry.cursor();
    }

    /** A cursor that makes a list start with the transactions created before the given time. */
    public static String cursorBefore(long createdAtMillis) {
        return SortableHex.hex16(Long.MAX_VALUE - createdAtMillis) + "|";
    }

    /** Every transaction in the status, in index order (for rebuilding in-memory indexes when a task starts). */
    static void forEach(ReadOnlyKeyValueStore<String, String> store, TxStatus status, java.util.function.Consumer<String> txId) {
        String prefix = statusKeyPrefix(status);
        try (KeyValueIterator<String, String> it = store.range(prefix, prefix + END)) {
            while (it.hasNext()) {
                txId.accept(txIdOfStatusKey(it.next().key));
            }
        }
    }

    /** Where the status entries ({@code s|<status>|<age>|<txId>}) of a status start. */
    public static String statusKeyPrefix(TxStatus status) {
        return "s|" + status + "|";
    }

    /** The txId at the end of a status entry's key. */
    public static String txIdOfStatusKey(String key) {
        return key.substring(key.lastIndexOf('|') + 1);
    }

    /** Counts per definition and status. */
    public static List<TransactionPage.Count> counts(ReadOnlyKeyValueStore<String, String> store) {
        Map<String, TransactionPage.Count> counts = new TreeMap<>();
        try (KeyValueIterator<String, String> it = store.prefixScan("c|", Serdes.String().serializer())) {
            while (it.hasNext()) {
                KeyValue<String, String> next = it.next();
                String[] parts = next.key.split("\\|");
                counts.put(next.key, new TransactionPage.Count(parts[1], TxStatus.valueOf(parts[2]),
                        Long.parseLong(next.value)));
            }
        }
        return List.copyOf(counts.values());
    }
}
