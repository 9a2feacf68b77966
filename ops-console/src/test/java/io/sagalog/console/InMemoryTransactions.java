package io.sagalog.console;

import io.sagalog.engine.TransactionPage;
import io.sagalog.engine.TransactionQueries;
import io.sagalog.engine.TransactionView;
import io.sagalog.engine.TxStatus;
import io.sagalog.http.ControlLog;
import io.sagalog.schemas.avro.ControlRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The read side of one engine instance that owns every transaction, in memory, and a control log that keeps what is
 * appended: enough to drive the console's routes without Kafka. Counts its reads, so a test can tell a request that
 * was refused before it read anything from one that read and then answered.
 */
final class InMemoryTransactions implements TransactionQueries, ControlLog {
    final Map<String, TransactionView> byId = new ConcurrentHashMap<>();
    final List<ControlRecord> appended = new CopyOnWriteArrayList<>();
    final AtomicInteger reads = new AtomicInteger();
    /** The last list query this instance was asked. */
    volatile TxStatus listedStatus;
    volatile int listedLimit;
    volatile Endpoint self = new Endpoint("127.0.0.1", 1);

    @Override
    public Optional<TransactionView> find(String txId) {
        reads.incrementAndGet();
        return Optional.ofNullable(byId.get(txId));
    }

    @Override
    public TransactionPage list(TxStatus status, String definition, String after, Instant createdBefore, int limit) {
        reads.incrementAndGet();
        listedStatus = status;
        listedLimit = limit;
        List<TransactionPage.Summary> items = new ArrayList<>();
        for (TransactionView v : byId.values()) {
            if ((status == null || v.state().status() == status)
                    && (definition == null || v.state().definition().equals(definition))) {
                items.add(new TransactionPage.Summary(v.state().txId(), v.state().definition(),
                        v.state().definitionVersion(), v.state().status(), v.state().reason(), v.state().createdAt(),
                        v.state().updatedAt(), "0000000000000001|" + v.state().txId()));
            }
        }
        return new TransactionPage(items, null);
    }

    @Override
    public List<TransactionPage.Count> counts() {
        reads.incrementAndGet();
        Map<String, TransactionPage.Count> counts = new java.util.TreeMap<>();
        for (TransactionView v : byId.values()) {
            counts.merge(v.state().definition() + v.state().status(), new TransactionPage.Count(v.state().definition(),
                    v.state().status(), 1), (a, b) -> new TransactionPage.Count(a.definition(), a.status(), a.count() + 1));
        }
        return List.copyOf(counts.values());
    }

    @Override
    public Optional<Endpoint> ownerOf(String txId) {
        return Optional.of(self);
    }

    @Override
    public List<Endpoint> instances() {
        return List.of(self);
    }

    @Override
    public Endpoint self() {
        return self;
    }

    @Override
    public CompletionStage<Void> append(ControlRecord record) {
        appended.add(record);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {}
}
