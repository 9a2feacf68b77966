package io.sagalog.bench;

import java.util.Locale;

/**
 * One measured configuration: a workload, a load shape (closed loop with some clients, or open loop at some rate)
 * and a processing guarantee. Each gets a fresh engine (its own application id, so its own state) on the shared
 * broker, so configurations do not inherit each other's state, backlog or caches.
 *
 * @param mode          {@link #CLOSED} or {@link #OPEN}
 * @param ratePerSecond the open loop's arrival rate; null for a closed loop
 * @param clients       the closed loop's concurrent clients; null for an open loop
 * @param prefill       finished transactions put into the engine's stores before the run, to show whether
 *                      latency stays flat as the stores grow (0: empty stores)
 */
public record Configuration(Workload workload, String mode, Double ratePerSecond, Integer clients,
                            String guarantee, long prefill) {
    public static final String CLOSED = "closed";
    public static final String OPEN = "open";

    /** On empty stores. */
    public Configuration(Workload workload, String mode, Double ratePerSecond, Integer clients, String guarantee) {
        this(workload, mode, ratePerSecond, clients, guarantee, 0);
    }

    public Configuration {
        if (prefill < 0) {
            throw new IllegalArgumentException("prefill cannot be negative: " + prefill);
        }
        if (CLOSED.equals(mode) ? clients == null || ratePerSecond != null
                : !OPEN.equals(mode) || ratePerSecond == null || clients != null) {
            throw new IllegalArgumentException("a closed loop has clients, an open loop a rate: " + mode + " "
                    + ratePerSecond + " " + clients);
        }
    }

    public static Configuration closed(Workload workload, int clients, String guarantee) {
        return new Configuration(workload, CLOSED, null, clients, guarantee);
    }

    public static Configuration open(Workload workload, double ratePerSecond, String guarantee) {
        return new Configuration(workload, OPEN, ratePerSecond, null, guarantee);
    }

    /** The same, with this many finished transactions in the stores first. */
    public Configuration withPrefill(long finished) {
        return new Configuration(workload, mode, ratePerSecond, clients, guarantee, finished);
    }

    public boolean isOpen() {
        return OPEN.equals(mode);
    }

    /** The load, as the summary shows it: {@code 64 clients} or {@code 250/s}. */
    public String load() {
        return (isOpen() ? rate(ratePerSecond) + "/s" : clients + " clients") + prefillSuffix(prefill);
    }

    /** {@code ""} for empty stores, else e.g. {@code " +1,000,000 finished"}. */
    static String prefillSuffix(long prefill) {
        return prefill == 0 ? "" : String.format(Locale.ROOT, " +%,d finished", prefill);
    }

    /** E.g. {@code S3 closed 64 clients at_least_once} or {@code S3 open 250/s at_least_once}. */
    public String label() {
        return workload.label() + " " + mode + " " + load() + " " + guarantee;
    }

    /**
     * The start of the engine's application id, e.g. {@code bench-s3-open-250-at-least-once}; a random suffix is
     * added per run. It shows up in the engine's thread and topic names, which is how CPU and Kafka writes are
     * attributed to this engine.
     */
    public String applicationIdPrefix() {
        return (workload.definitionName() + "-" + mode + "-" + (isOpen() ? rate(ratePerSecond) : clients) + "-"
                + guarantee.replace('_', '-') + (prefill == 0 ? "" : "-pf" + prefill)).toLowerCase(Locale.ROOT)
                .replace('.', '_');
    }

    /** A rate without a needless fraction: 250, 12.5. */
    static String rate(double perSecond) {
        return perSecond == Math.rint(perSecond) ? Long.toString((long) perSecond)
                : java.math.BigDecimal.valueOf(perSecond).stripTrailingZeros().toPlainString();
    }
}
