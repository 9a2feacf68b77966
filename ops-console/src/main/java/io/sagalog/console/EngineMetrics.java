package io.sagalog.console;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.sagalog.engine.Decision;
import io.sagalog.engine.DecisionObserver;
import io.sagalog.engine.Definition;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.Input;
import io.sagalog.engine.JournalEntry;
import io.sagalog.engine.JournalEvent;
import io.sagalog.engine.Phase;
import io.sagalog.engine.TransactionPage;
import io.sagalog.engine.TxState;
import io.sagalog.engine.TxStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The engine's metrics, counted from its decisions as they are made (on the stream thread, in memory only):
 * transactions started and ended per definition, step latency per participant and phase, recovery decisions by
 * rule; and, read when scraped, in-flight counts from the tx-index and the consumer lag from Kafka Streams.
 */
public final class EngineMetrics implements DecisionObserver {
    private static final Duration[] BUCKETS = java.util.stream.LongStream.of(1, 2, 5, 10, 20, 50, 100, 200, 500,
            1_000, 2_000, 5_000, 10_000, 30_000, 60_000).mapToObj(Duration::ofMillis).toArray(Duration[]::new);

    /** 10 ms to 1 h: a transaction lasts from its steps' latencies to an operator's reaction to a parked one. */
    private static final Duration[] TRANSACTION_BUCKETS = java.util.stream.LongStream.of(10, 50, 100, 250, 500, 1_000,
            2_500, 5_000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000).mapToObj(Duration::ofMillis)
            .toArray(Duration[]::new);

    private static final String LATE_RESULTS = "sagalog_late_results";
    private static final String LATE_RESULTS_HELP = "Successes that arrived for an attempt the engine no longer waited "
            + "for: compensated (the effect is undone), parked (it cannot be), ignored (already counted or undone), expired "
            + "(the transaction had expired: journaled only)";

    private static final String TIMER_REPAIRS = "sagalog_timer_repairs";
    private static final String TIMER_REPAIRS_HELP = "Transactions found in flight without any timer and repaired by "
            + "the engine's sweep";

    private static final String EXPIRED = "sagalog_transactions_expired";
    private static final String EXPIRED_HELP = "Finished transactions archived and evicted from the stores, their "
            + "retention over, by definition and the status they ended in";
    private static final String AFTER_EXPIRY = "sagalog_inputs_after_expiry";
    private static final String AFTER_EXPIRY_HELP = "Inputs (late results, repeated requests, operator actions) for a "
            + "transaction that had expired: journaled, never applied";

    private final MeterRegistry registry;
    private final Supplier<DefinitionCatalog> definitions;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public EngineMetrics(MeterRegistry registry, Supplier<DefinitionCatalog> definitions) {
        this.registry = registry;
        this.definitions = definitions;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        // Shown at 0 from the start, so an alert on them needs no "absent" case.
        for (String outcome : List.of("compensated", "parked", "ignored", "expired")) {
            counter(LATE_RESULTS, LATE_RESULTS_HELP, "outcome", outcome);
        }
        counter(TIMER_REPAIRS, TIMER_REPAIRS_HELP);
    }

    /**
     * Gauges read at scrape time: transactions per status and definition held by this instance (from the tx-index),
     * and the engine's consumer lag.
     */
    public void bindGauges(Supplier<List<TransactionPage.Count>> counts,
                           java.util.function.LongSupplier consumerLag) {
        for (TxStatus status : List.of(TxStatus.RUNNING, TxStatus.COMPENSATING, TxStatus.PARKED)) {
            Gauge.builder("sagalog_transactions_in_flight", () -> {
                        try {
                            return counts.get().stream().filter(c -> c.status() == status)
                                    .mapToLong(TransactionPage.Count::count).sum();
                        } catch (RuntimeException notReady) {
                            return Double.NaN;
                        }
                    })
                    .description("Transactions this instance holds that are not finished, by status")
                    .tag("status", status.name()).register(registry);
        }
        Gauge.builder("sagalog_engine_consumer_lag", () -> (double) consumerLag.getAsLong())
                .description("Records of the control log the engine has not read yet (all its partitions)")
                .register(registry);
    }

    /**
     * Per persistent store (tx-state, tx-history, tx-index, tx-expiry): RocksDB's estimate of its entries and the
     * bytes of its files on this instance, read at scrape time. With retention these stay flat under a steady load.
     */
    public void bindStoreGauges(Supplier<List<io.sagalog.engine.StoreSize>> sizes) {
        for (String store : List.of("tx-state", "tx-history", "tx-index", "tx-expiry")) {
            Gauge.builder("sagalog_store_entries", () -> size(sizes, store, io.sagalog.engine.StoreSize::entries))
                    .description("Entries of the engine's store on this instance (rocksdb.estimate-num-keys)")
                    .tag("store", store).register(registry);
            Gauge.builder("sagalog_store_bytes", () -> size(sizes, store, io.sagalog.engine.StoreSize::bytes))
                    .description("Bytes of the engine's store's files on this instance (rocksdb.total-sst-files-size)")
                    .tag("store", store).register(registry);
        }
    }

    private static double size(Supplier<List<io.sagalog.engine.StoreSize>> sizes, String store,
                                java.util.function.ToLongFunction<io.sagalog.engine.StoreSize> what) {
        try {
            return sizes.get().stream().filter(s -> s.store().equals(store)).mapToLong(what).sum();
        } catch (RuntimeException notReady) {
            return Double.NaN;
        }
    }

    private final java.util.Set<String> delayGauges = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * One gauge per participant that has reported a delivery delay: how long its step requests recently waited before
     * delivery (what admission at ingest compares with {@code --max-delivery-delay}). Call again to add new ones.
     */
    public void bindDeliveryDelays(io.sagalog.engine.DeliveryDelays delays) {
        for (String participant : delays.recent().keySet()) {
            if (delayGauges.add(participant)) {
                Gauge.builder("sagalog_delivery_delay_seconds", () -> delays.recentMillis(participant) / 1000.0)
                        .description("How long this participant's step requests recently waited before delivery "
                                + "(the engine's lag plus the step topic's backlog; mean of the last 2-4 s)")
                        .tag("participant", participant).register(registry);
            }
        }
    }

    @Override
    public void decided(TxState before, Input input, Decision decision, Instant now) {
        TxState after = decision.state() != null ? decision.state() : before;
        String definition = after != null ? after.definition() : "unknown";
        for (JournalEntry entry : decision.journal()) {
            JournalEvent event = entry.event();
            if (event instanceof JournalEvent.TxStarted) {
                count("sagalog_transactions_started", "Transactions started", "definition", definition);
            } else if (event instanceof JournalEvent.TxCompleted) {
                count("sagalog_transactions_completed", "Transactions completed", "definition", definition);
            } else if (event instanceof JournalEvent.TxRolledBack) {
                count("sagalog_transactions_rolled_back", "Transactions rolled back", "definition", definition);
            } else if (event instanceof JournalEvent.TxParked) {
                count("sagalog_transactions_parked", "Transactions parked (waiting for an operator)", "definition", definition);
            } else if (event instanceof JournalEvent.TxResolved) {
                count("sagalog_transactions_resolved", "Transactions resolved by an operator", "definition", definition);
            } else if (event instanceof JournalEvent.RecoveryDecided d) {
                count("sagalog_recovery_decisions", "Recovery decisions by rule", "rule", d.rule(), "direction",
                        d.direction().name());
            } else if (event instanceof JournalEvent.OperatorActed a) {
                count("sagalog_operator_actions", "Operator actions applied", "action", a.action().wireName());
            } else if (event instanceof JournalEvent.LateEffectCompensated) {
                count(LATE_RESULTS, LATE_RESULTS_HELP, "outcome", "compensated");
            } else if (event instanceof JournalEvent.ResultIgnored r && r.phase() == Phase.ACTION
                    && r.outcome() == io.sagalog.engine.Outcome.SUCCEEDED) {
                count(LATE_RESULTS, LATE_RESULTS_HELP, "outcome", "ignored");
            } else if (event instanceof JournalEvent.TxExpired x) {
                count(EXPIRED, EXPIRED_HELP, "definition", definition, "status", x.finalStatus().name());
            } else if (event instanceof JournalEvent.InputAfterExpiry) {
                count(AFTER_EXPIRY, AFTER_EXPIRY_HELP, "input", input.getClass().getSimpleName());
                if (input instanceof Input.StepResult) {
                    count(LATE_RESULTS, LATE_RESULTS_HELP, "outcome", "expired");
                }
            } else if (event instanceof JournalEvent.TimersRepaired) {
                count(TIMER_REPAIRS, TIMER_REPAIRS_HELP);
            }
            if (event instanceof JournalEvent.RecoveryDecided d
                    && d.rule().equals(io.sagalog.engine.Rule.LATE_EFFECT_AFTER_ROLLBACK.id())) {
                count(LATE_RESULTS, LATE_RESULTS_HELP, "outcome", "parked");
            }
        }
        if (input instanceof Input.StepResult result && before != null) {
            stepLatency(before, result, now);
        }
        outcome(decision).ifPresent(outcome -> transactionDuration(after, outcome, now));
    }

    /** The outcome a decision takes its transaction to, if it journals one: the transitions the counters count. */
    private static Optional<TxStatus> outcome(Decision decision) {
        for (JournalEntry entry : decision.journal()) {
            JournalEvent event = entry.event();
            if (event instanceof JournalEvent.TxCompleted) {
                return Optional.of(TxStatus.COMPLETED);
            } else if (event instanceof JournalEvent.TxRolledBack) {
                return Optional.of(TxStatus.ROLLED_BACK);
            } else if (event instanceof JournalEvent.TxParked) {
                return Optional.of(TxStatus.PARKED);
            } else if (event instanceof JournalEvent.TxResolved) {
                return Optional.of(TxStatus.RESOLVED);
            }
        }
        return Optional.empty();
    }

    /**
     * From the transaction's acceptance (its TxRequested record's time, which is its createdAt) to the decision that
     * takes it to {@code outcome}: once per transition, as the decision is made. A restart does not record a
     * transaction again: stores restore from their changelogs without deciding anything, and an input read again
     * finds the final state and journals no second outcome (docs/operations.md, "Transaction duration").
     */
    private void transactionDuration(TxState after, TxStatus outcome, Instant now) {
        if (after == null || after.createdAt() == null) {
            return;
        }
        Duration duration = Duration.between(after.createdAt(), now);
        String key = "transaction|" + after.definition() + "|" + outcome;
        timers.computeIfAbsent(key, k -> Timer.builder("sagalog.transaction.duration")
                .description("From a transaction's acceptance to its outcome (COMPLETED, ROLLED_BACK, PARKED, "
                        + "RESOLVED), per definition")
                .tag("definition", after.definition()).tag("outcome", outcome.name())
                .serviceLevelObjectives(TRANSACTION_BUCKETS)
                .register(registry)).record(duration.isNegative() ? Duration.ZERO : duration);
    }

    /** From dispatch to result: the attempt's timeout timer was set at dispatch to fire one step timeout later. */
    private void stepLatency(TxState before, Input.StepResult result, Instant now) {
        Optional<Definition> definition = definitions.get().find(before.definition(), before.definitionVersion());
        if (definition.isEmpty()) {
            return;
        }
        int index = definition.get().indexOf(result.step());
        if (index < 0) {
            return;
        }
        var step = definition.get().step(index);
        before.timers().stream().filter(t -> t.isTimeoutOf(result.step(), result.attempt(), result.phase())).findFirst()
                .ifPresent(t -> {
                    Duration latency = Duration.between(t.due().minus(step.timeout()), now);
                    if (!latency.isNegative()) {
                        String key = step.participant() + "|" + result.phase() + "|" + result.outcome();
                        timers.computeIfAbsent(key, k -> Timer.builder("sagalog_step_latency")
                                .description("From dispatching a step to its result, per participant and phase")
                                .tag("participant", step.participant())
                                .tag("phase", result.phase() == Phase.ACTION ? "action" : "compensation")
                                .tag("outcome", result.outcome().name())
                                // Fixed buckets from 1 ms to 1 min: enough for percentiles, a few series each.
                                .serviceLevelObjectives(BUCKETS)
                                .register(registry)).record(latency);
                    }
                });
    }

    private void count(String name, String help, String... tags) {
        counter(name, help, tags).increment();
    }

    private Counter counter(String name, String help, String... tags) {
        String key = name + String.join("|", tags);
        return counters.computeIfAbsent(key, k -> Counter.builder(name).description(help).tags(tags).register(registry));
    }
}
