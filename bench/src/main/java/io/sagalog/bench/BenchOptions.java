package io.sagalog.bench;

import io.sagalog.engine.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@code sagalog bench} was asked to do, checked and with defaults applied. The command line is text;
 * turning it into this record in one place, without Kafka or picocli, keeps the rules (lists, defaults, the
 * {@code --quick} preset, what counts as an error) testable, and lets the command trust what it gets.
 *
 * @param workloads  in the order given, each once
 * @param modes      {@code closed} and/or {@code open}, closed first
 * @param rates      open-loop arrival rates per second, in the order given, repeats kept
 * @param clients    closed-loop client counts, in the order given, repeats kept
 * @param guarantees processing guarantees, in the order given, repeats kept
 * @param out        where to write result files, or null for none
 * @param bootstrap  an external Kafka cluster, or null for an embedded broker
 * @param dataDir    where the embedded broker and engines keep data, or null for a temporary directory
 * @param prefills   finished transactions to put into the stores before each configuration, in the order
 *                   given (0 = empty stores)
 */
public record BenchOptions(List<Workload> workloads, List<String> modes, List<Double> rates, List<Integer> clients,
                           List<String> guarantees, Duration warmup, Duration duration, boolean baselines, Path out,
                           String bootstrap, Path dataDir, List<Long> prefills) {
    public static final Duration DEFAULT_WARMUP = Duration.ofSeconds(5);
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(20);
    public static final Duration QUICK_WARMUP = Duration.ofSeconds(5);
    public static final Duration QUICK_DURATION = Duration.ofSeconds(10);
    /** Each baseline's warmup and measured window are capped at this: they are ceilings, not the subject. */
    public static final Duration BASELINE_CAP = Duration.ofSeconds(10);
    public static final List<String> GUARANTEES = List.of("at_least_once", "exactly_once_v2");

    public BenchOptions {
        workloads = List.copyOf(workloads);
        modes = List.copyOf(modes);
        rates = List.copyOf(rates);
        clients = List.copyOf(clients);
        guarantees = List.copyOf(guarantees);
        prefills = List.copyOf(prefills);
    }

    /**
     * Builds the options from the command line's text.
     *
     * @param workload  {@code --workload}, null when not given
     * @param steps     {@code --steps}, null when not given; an alias for {@code --workload S<n>}
     * @param warmup    {@code --warmup}, null when not given (then 5 s, with or without {@code --quick})
     * @param duration  {@code --duration}, null when not given (then 20 s, or 10 s with {@code --quick})
     * @throws IllegalArgumentException with a message for the user when something is wrong
     */
    public static BenchOptions parse(String workload, Integer steps, String mode, String rate, String clients,
                                     String guarantee, String warmup, String duration, boolean quick,
                                     boolean baselines, Path out, String bootstrap, Path dataDir) {
        return parse(workload, steps, mode, rate, clients, guarantee, warmup, duration, quick, baselines, out,
                bootstrap, dataDir, "0");
    }

    /** @param prefill {@code --prefill}: finished transactions in the stores first, comma-separated */
    public static BenchOptions parse(String workload, Integer steps, String mode, String rate, String clients,
                                     String guarantee, String warmup, String duration, boolean quick,
                                     boolean baselines, Path out, String bootstrap, Path dataDir, String prefill) {
        return new BenchOptions(workloads(workload, steps), modes(mode), rates(rate), clients(clients),
                guarantees(guarantee),
                warmup != null ? duration("--warmup", warmup, true) : quick ? QUICK_WARMUP : DEFAULT_WARMUP,
                duration != null ? duration("--duration", duration, false) : quick ? QUICK_DURATION : DEFAULT_DURATION,
                baselines, out, bootstrap == null || bootstrap.isBlank() ? null : bootstrap.trim(), dataDir,
                prefills(prefill));
    }

    /** Counts of finished transactions, comma-separated, zero or more: {@code 0,1000000} compares empty and full. */
    static List<Long> prefills(String list) {
        List<Long> prefills = new ArrayList<>();
        for (String item : items("--prefill", list)) {
            long n;
            try {
                n = Long.parseLong(item.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--prefill: '" + item + "' is not a whole number; give e.g. "
                        + "0,1000000");
            }
            if (n < 0) {
                throw new IllegalArgumentException("--prefill: " + n + " is negative");
            }
            prefills.add(n);
        }
        return prefills;
    }

    /** {@code --workload} as a list, or {@code --steps} as its alias, or S3. */
    static List<Workload> workloads(String workload, Integer steps) {
        if (workload != null && steps != null) {
            throw new IllegalArgumentException("give either --workload or --steps (an alias for --workload S<n>), "
                    + "not both");
        }
        if (steps != null) {
            return List.of(Workload.withSteps(steps));
        }
        return workload == null ? List.of(Workload.S3) : Workload.parseList(workload);
    }

    /** {@code closed}, {@code open} or {@code both} (closed first: it finds the capacity the open loops sit below). */
    static List<String> modes(String mode) {
        return switch (mode == null ? "" : mode.trim().toLowerCase(Locale.ROOT)) {
            case "closed" -> List.of(Configuration.CLOSED);
            case "open" -> List.of(Configuration.OPEN);
            case "both" -> List.of(Configuration.CLOSED, Configuration.OPEN);
            default -> throw new IllegalArgumentException("--mode must be closed, open or both, not '" + mode + "'");
        };
    }

    /**
     * Positive arrival rates per second, comma-separated: {@code 500} or {@code 250,500}. Like every load list,
     * repeats are kept: measuring A, B, A again shows how much the figures drift during a run.
     */
    static List<Double> rates(String list) {
        List<Double> rates = new ArrayList<>();
        for (String item : items("--rate", list)) {
            double r;
            try {
                r = Double.parseDouble(item);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--rate: '" + item + "' is not a number; give arrivals per "
                        + "second, e.g. 500 or 250,500");
            }
            if (!(r > 0) || Double.isInfinite(r)) {
                throw new IllegalArgumentException("--rate: " + item + " is not a positive rate");
            }
            rates.add(r);
        }
        return rates;
    }

    /** Positive client counts, comma-separated: {@code 64} or {@code 16,64} to look for the saturation point. */
    static List<Integer> clients(String list) {
        List<Integer> clients = new ArrayList<>();
        for (String item : items("--clients", list)) {
            int c;
            try {
                c = Integer.parseInt(item);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--clients: '" + item + "' is not a whole number; give e.g. 64 "
                        + "or 16,64");
            }
            if (c < 1) {
                throw new IllegalArgumentException("--clients: " + c + " clients cannot put any load on");
            }
            clients.add(c);
        }
        return clients;
    }

    /**
     * {@code at_least_once}, {@code exactly_once_v2}, {@code both}, or a comma-separated list of the first two,
     * repeats kept: {@code at_least_once,exactly_once_v2,at_least_once,exactly_once_v2} measures each twice, in
     * alternation, so a drift of the machine is not mistaken for a difference between guarantees.
     */
    static List<String> guarantees(String list) {
        List<String> guarantees = new ArrayList<>();
        for (String item : items("--guarantee", list)) {
            String g = item.toLowerCase(Locale.ROOT);
            if (g.equals("both")) {
                guarantees.addAll(GUARANTEES);
            } else if (GUARANTEES.contains(g)) {
                guarantees.add(g);
            } else {
                throw new IllegalArgumentException("--guarantee: unknown processing guarantee '" + item + "'; use "
                        + String.join(", ", GUARANTEES) + " or both");
            }
        }
        return guarantees;
    }

    private static List<String> items(String option, String list) {
        List<String> items = new ArrayList<>();
        if (list != null) {
            for (String item : list.split(",")) {
                if (!item.isBlank()) {
                    items.add(item.trim());
                }
            }
        }
        if (items.isEmpty()) {
            throw new IllegalArgumentException(option + " needs at least one value");
        }
        return items;
    }

    static Duration duration(String option, String text, boolean zeroAllowed) {
        Duration d;
        try {
            d = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new IllegalArgumentException(option + " must be " + (zeroAllowed ? "zero or more" : "positive")
                    + ", not " + text);
        }
        return d;
    }

    /**
     * Every configuration, in the order they run: by workload, then closed loops before open ones, then by clients
     * or rate, and the guarantees side by side, so rows that compare guarantees are adjacent in the summary.
     */
    public List<Configuration> configurations() {
        List<Configuration> all = new ArrayList<>();
        for (Workload w : workloads) {
            for (String mode : modes) {
                if (mode.equals(Configuration.CLOSED)) {
                    for (int c : clients) {
                        guarantees.forEach(g -> prefills.forEach(p -> all.add(Configuration.closed(w, c, g).withPrefill(p))));
                    }
                } else {
                    for (double r : rates) {
                        guarantees.forEach(g -> prefills.forEach(p -> all.add(Configuration.open(w, r, g).withPrefill(p))));
                    }
                }
            }
        }
        return all;
    }

    /** The same options with another warmup and measured window. */
    public BenchOptions withWindows(Duration warmup, Duration duration) {
        return new BenchOptions(workloads, modes, rates, clients, guarantees, warmup, duration, baselines, out,
                bootstrap, dataDir, prefills);
    }

    public int maxClients() {
        return clients.stream().mapToInt(Integer::intValue).max().orElse(1);
    }

    /**
     * Connections the client may open in an open loop: the largest {@code --clients}, or one second's arrivals
     * if that is more. An open loop must not be throttled by its own pool (independent users do not share one), yet
     * an unbounded pool would let a stalled server collect thousands of connections; beyond the pool, requests wait
     * in the client's queue, and since latency counts from the intended send time, that wait is still measured.
     */
    public int openLoopConnections(double ratePerSecond) {
        return (int) Math.max(maxClients(), Math.ceil(ratePerSecond));
    }

    /** The distinct input sizes of the workloads, smallest first: the baselines are run at each. */
    public List<Integer> inputSizes() {
        Set<Integer> sizes = new TreeSet<>();
        workloads.forEach(w -> sizes.add(w.inputBytes()));
        return List.copyOf(sizes);
    }

    /** Each baseline's warmup: the bench's, at most {@link #BASELINE_CAP}. */
    public Duration baselineWarmup() {
        return warmup.compareTo(BASELINE_CAP) > 0 ? BASELINE_CAP : warmup;
    }

    /** Each baseline's measured window: the bench's, at most {@link #BASELINE_CAP}. */
    public Duration baselineDuration() {
        return duration.compareTo(BASELINE_CAP) > 0 ? BASELINE_CAP : duration;
    }
}
