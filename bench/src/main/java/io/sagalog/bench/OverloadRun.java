package io.sagalog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One run of {@code sagalog bench-overload} on a fresh engine: find the capacity with a closed loop, then drive an
 * open loop at half of it, at {@code factor} times it, and at half again, sampling every second what was offered,
 * accepted, refused and finished; then wait until every accepted transaction is final and count how they ended.
 */
final class OverloadRun {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One second of the run. */
    record Second(int t, String phase, long offered, long accepted, long refused, long notSent, long finished,
                  long inFlight, double deliveryDelaySeconds) {}

    /**
     * @param capacity transactions per second the closed-loop probe completed
     * @param recoverySeconds from the end of the overload until the load was taken and finished as before it;
     *     negative when that did not happen before the run ended
     * @param finalCounts the run's transactions by status once every accepted one ended (or the wait gave up)
     * @param cpuByPhase CPU-seconds per component, per phase
     */
    record Result(OverloadParticipants.Kind kind, boolean admission, double capacity, double factor, List<Second> seconds,
                  Map<String, Long> finalCounts, long accepted, long lost, double recoverySeconds, long actions,
                  double maxDeliveryDelaySeconds, Map<String, Map<String, Double>> cpuByPhase) {
        String label() {
            return kind + (admission ? "" : "-no-admission");
        }

        long parked() {
            return finalCounts.getOrDefault("PARKED", 0L);
        }

        /** Accepted transactions not final when the run stopped waiting. */
        long notFinal() {
            return finalCounts.getOrDefault("RUNNING", 0L) + finalCounts.getOrDefault("COMPENSATING", 0L)
                    + finalCounts.getOrDefault("PENDING", 0L);
        }
    }

    private final NodeLauncher launcher;
    private final String bootstrap;
    private final Path dataDir;
    private final Vertx clientVertx;
    private final PrintStream out;
    private final OverloadBenchCommand.Settings settings;

    OverloadRun(NodeLauncher launcher, String bootstrap, Path dataDir, Vertx clientVertx, PrintStream out, OverloadBenchCommand.Settings settings) {
        this.launcher = launcher;
        this.bootstrap = bootstrap;
        this.dataDir = dataDir;
        this.clientVertx = clientVertx;
        this.out = out;
        this.settings = settings;
    }

    /** @param admission false: the node runs without delivery admission (--max-delivery-delay 0), the baseline */
    Result run(OverloadParticipants.Kind kind, boolean admission) throws Exception {
        String runId = BaselineSupport.uniqueSuffix();
        String appId = "overload-" + kind + "-" + runId;
        OverloadParticipants participants = new OverloadParticipants(kind, runId);
        EngineConfig config = EngineConfig.defaults(bootstrap, dataDir.resolve("engine-" + appId)).withApplicationId(appId)
                .withInstanceId(appId + "-engine")
                .withOverrides(Map.of(StreamsConfig.mainConsumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "latest"));
        out.printf("%n%s participants%s: starting engine %s%n", kind, admission ? "" : ", no delivery admission", appId);
        NodeLauncher.NodeSpec spec = new NodeLauncher.NodeSpec(config, BenchRun.PARTITIONS,
                DefinitionCatalog.of(List.of(participants.definition())), admission);
        try (NodeLauncher.Node node = launcher.startNode(spec);
             OverloadLoad load = new OverloadLoad(clientVertx, node.port());
             participants) {
            participants.start(bootstrap, load, settings.serviceMillis());
            AtomicLong seq = new AtomicLong();
            Map<String, Map<String, Double>> cpu = new TreeMap<>();

            out.printf("%s: closed loop, %d clients, %d s warm-up and %d s probe to find the capacity%n", kind,
                    settings.probeClients(), settings.warmup().toSeconds(), settings.probe().toSeconds());
            closed(load, participants, seq, settings.warmup());
            double before = finished(load, participants);
            long probeStart = System.nanoTime();
            ComponentCpu.Snapshot cpu0 = ComponentCpu.take();
            closed(load, participants, seq, settings.probe());
            double capacity = (finished(load, participants) - before) / ((System.nanoTime() - probeStart) / 1e9);
            cpu.put("probe", ComponentCpu.delta(cpu0, ComponentCpu.take()).cpuSecondsByComponent());
            out.printf(Locale.ROOT, "%s: capacity %.0f tx/s; now %.0f/s for %d s, %.0f/s for %d s, %.0f/s for %d s%n",
                    kind, capacity, capacity / 2, settings.before().toSeconds(), capacity * settings.factor(),
                    settings.over().toSeconds(), capacity / 2, settings.after().toSeconds());

            List<Second> seconds = new ArrayList<>();
            long offeredBefore = seq.get();
            long acceptedBefore = load.accepted.get();
            phase("before", capacity / 2, settings.before(), load, participants, seq, seconds, cpu);
            phase("over", capacity * settings.factor(), settings.over(), load, participants, seq, seconds, cpu);
            int overEnd = seconds.size();
            phase("after", capacity / 2, settings.after(), load, participants, seq, seconds, cpu);
            out.printf("%s: load done (%,d offered in the open loop); waiting for every accepted transaction to end%n",
                    kind, seq.get() - offeredBefore);

            long accepted = load.accepted.get();
            Map<String, Long> finals = awaitFinal(load, participants, accepted);
            long counted = finals.values().stream().mapToLong(Long::longValue).sum();
            double recovery = recoverySeconds(seconds, overEnd);
            double maxDelay = seconds.stream().mapToDouble(Second::deliveryDelaySeconds).max().orElse(0);
            out.printf(Locale.ROOT, "%s: accepted %,d (open loop %,d), by status %s, lost %,d, actions delivered %,d "
                            + "(%.3f per action accepted)%n", kind, accepted, accepted - acceptedBefore, finals,
                    accepted - counted, participants.actions.get(), participants.actions.get() / (3.0 * accepted));
            return new Result(kind, admission, capacity, settings.factor(), seconds, finals, accepted, accepted - counted, recovery,
                    participants.actions.get(), maxDelay, cpu);
        } finally {
            BaselineSupport.deleteRecursively(dataDir.resolve("engine-" + appId));
        }
    }

    private void closed(OverloadLoad load, OverloadParticipants p, AtomicLong seq, Duration length) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        load.closedLoop(settings.probeClients(), stop, p::body, seq);
        java.util.concurrent.locks.LockSupport.parkNanos(length.toNanos());
        stop.set(true);
        long until = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (load.outstanding() > 0 && System.nanoTime() < until) {
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    /** Drives the open loop for one phase on a thread of its own, sampling once a second here. */
    private void phase(String name, double rate, Duration length, OverloadLoad load, OverloadParticipants p,
                       AtomicLong seq, List<Second> seconds, Map<String, Map<String, Double>> cpu) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        long end = System.nanoTime() + length.toNanos();
        Thread driver = new Thread(() -> load.openLoop(rate, end, stop, p::body, seq), "bench-load-" + name);
        ComponentCpu.Snapshot cpu0 = ComponentCpu.take();
        long offered0 = seq.get();
        long accepted0 = load.accepted.get();
        long refused0 = load.refused.get();
        long notSent0 = load.notSent.get();
        double finished0 = finished(load, p);
        driver.start();
        long next = System.nanoTime();
        while (System.nanoTime() < end) {
            next += 1_000_000_000L;
            java.util.concurrent.locks.LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
            String metrics = load.get("/metrics");
            double finished = finishedIn(metrics, p);
            double inFlight = OverloadLoad.metric(metrics, "sagalog_transactions_in_flight", "RUNNING")
                    + OverloadLoad.metric(metrics, "sagalog_transactions_in_flight", "COMPENSATING");
            double delay = maxDelay(metrics, p);
            Second s = new Second(seconds.size() + 1, name, seq.get() - offered0, load.accepted.get() - accepted0,
                    load.refused.get() - refused0, load.notSent.get() - notSent0, (long) (finished - finished0),
                    (long) inFlight, delay);
            seconds.add(s);
            offered0 = seq.get();
            accepted0 = load.accepted.get();
            refused0 = load.refused.get();
            notSent0 = load.notSent.get();
            finished0 = finished;
            if (s.t() % 10 == 0) {
                out.printf(Locale.ROOT, "  %4d s %-6s offered %5d/s accepted %5d/s refused %5d/s finished %5d/s "
                                + "in flight %6d delivery delay %.2f s%n", s.t(), name, s.offered(), s.accepted(),
                        s.refused(), s.finished(), s.inFlight(), s.deliveryDelaySeconds());
            }
        }
        stop.set(true);
        driver.join(5_000);
        cpu.put(name, ComponentCpu.delta(cpu0, ComponentCpu.take()).cpuSecondsByComponent());
    }

    private static double finished(OverloadLoad load, OverloadParticipants p) {
        return finishedIn(load.get("/metrics"), p);
    }

    private static double finishedIn(String metrics, OverloadParticipants p) {
        String label = "definition=\"" + p.definitionName + "\"";
        return OverloadLoad.metric(metrics, "sagalog_transactions_completed_total", label)
                + OverloadLoad.metric(metrics, "sagalog_transactions_rolled_back_total", label)
                + OverloadLoad.metric(metrics, "sagalog_transactions_parked_total", label);
    }

    private static double maxDelay(String metrics, OverloadParticipants p) {
        double max = 0;
        for (String line : metrics == null ? new String[0] : metrics.split("\n")) {
            if (line.startsWith("sagalog_delivery_delay_seconds{") && line.contains(p.definitionName)) {
                max = Math.max(max, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return max;
    }

    /**
     * The first second after the overload from which every later second took all it was offered (no refusals), and
     * finished about what the phase before the overload finished (within 10%, five seconds averaged), with no more in
     * flight than before the overload; as seconds after the overload ended.
     */
    static double recoverySeconds(List<Second> seconds, int overEnd) {
        List<Second> before = seconds.stream().filter(s -> s.phase().equals("before")).toList();
        List<Second> settled = before.subList(before.size() / 2, before.size());
        double finishedBefore = settled.stream().mapToLong(Second::finished).average().orElse(0);
        long inFlightBefore = settled.stream().mapToLong(Second::inFlight).max().orElse(0);
        for (int start = overEnd; start < seconds.size(); start++) {
            boolean ok = true;
            for (int i = start; i < seconds.size() && ok; i++) {
                Second s = seconds.get(i);
                double avg = seconds.subList(Math.max(start, i - 4), i + 1).stream().mapToLong(Second::finished)
                        .average().orElse(0);
                ok = s.refused() == 0 && s.notSent() == 0 && Math.abs(avg - finishedBefore) <= 0.1 * finishedBefore
                        && s.inFlight() <= Math.max(2 * inFlightBefore, 10);
            }
            if (ok) {
                return start - overEnd;
            }
        }
        return -1;
    }

    /** Waits (at most 5 minutes) until as many transactions of the run's definition ended as were accepted. */
    private Map<String, Long> awaitFinal(OverloadLoad load, OverloadParticipants p, long accepted) throws Exception {
        long until = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        Map<String, Long> counts = Map.of();
        while (System.nanoTime() < until) {
            String body = load.get("/v1/transactions/counts");
            if (body != null) {
                Map<String, Long> byStatus = new TreeMap<>();
                for (JsonNode c : JSON.readTree(body).path("byDefinition")) {
                    if (c.path("definition").asText().equals(p.definitionName)) {
                        byStatus.merge(c.path("status").asText(), c.path("count").asLong(), Long::sum);
                    }
                }
                counts = byStatus;
                long ended = sum(byStatus, "COMPLETED", "ROLLED_BACK", "PARKED", "RESOLVED");
                if (ended >= accepted && sum(byStatus, "RUNNING", "COMPENSATING", "PENDING") == 0) {
                    break;
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
        }
        return counts;
    }

    private static long sum(Map<String, Long> counts, String... statuses) {
        long n = 0;
        for (String s : statuses) {
            n += counts.getOrDefault(s, 0L);
        }
        return n;
    }
}
