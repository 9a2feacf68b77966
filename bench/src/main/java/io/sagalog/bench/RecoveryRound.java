package io.sagalog.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.compensators.Participant;
import io.sagalog.compensators.ParticipantWorker;
import io.sagalog.schemas.Topics;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * One round of {@code sagalog bench-recovery}: a fresh embedded broker, an engine process ({@code sagalog engine}),
 * and transactions of a 3-step saga whose first participant holds: its handler waits for a release, so every first
 * step is dispatched and unanswered. Once all are dispatched and the engine has committed its input offsets, the
 * engine is killed with SIGKILL; the first participant is released and answers every request while the engine is
 * down (its results wait in the control log); then the engine is started again with the same data directory,
 * application id and instance id. Measured from the start of the new process: its ready line, the last transaction
 * journaling step 1 succeeded (it moved again), the last one final.
 */
final class RecoveryRound {
    static final String DEFINITION = "recovery-bench";
    static final List<String> STEPS = List.of("first", "second", "third");
    private static final String PREFIX = "rb-";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LONG = Duration.ofSeconds(300);

    /** How the engine process is started: the runnable jar, with or without its class-data archive. */
    record Variant(String name, List<String> jvmOptions) {}

    /** One measured restart, in milliseconds from the new process's start. */
    record Result(int round, String variant, long readyMs, long movedMs, long finalMs) {}

    private final NodeLauncher launcher;
    private final String guarantee;
    private final int transactions;
    private final Path workDir;
    private final PrintStream progress;

    RecoveryRound(NodeLauncher launcher, String guarantee, int transactions, Path workDir, PrintStream progress) {
        this.launcher = launcher;
        this.guarantee = guarantee;
        this.transactions = transactions;
        this.workDir = workDir;
        this.progress = progress;
    }

    Result run(int round, Variant variant) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Path dir = Files.createDirectories(workDir.resolve("round-" + round + "-" + run));
        Path logs = Files.createDirectories(dir.resolve("logs"));
        String tag = "[round " + round + " " + guarantee + "]";
        Path definition = logs.resolve(DEFINITION + ".json");
        Files.writeString(definition, definitionJson());
        String applicationId = "recovery-bench-" + run;
        List<ParticipantWorker> workers = new ArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger answered = new AtomicInteger();
        try (NodeLauncher.Broker kafka = launcher.startBroker(dir.resolve("kafka"));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
             EngineChild engine = new EngineChild(new EngineChild.Settings(kafka.bootstrapServers(), dir.resolve("engine"),
                     applicationId, "recovery-bench-engine", 3, List.of(definition), guarantee, logs),
                     start -> launcher.sagalogProcess(jvmOptions(logs, variant)))) {
            String bootstrap = kafka.bootstrapServers();
            progress.printf("%s engine started as: %s%n", tag, variant.name());
            try {
                engine.start();
                int port = engine.awaitReady(Duration.ofSeconds(120));
                // Step 1's participant is there (registered: the engine parks steps of unknown participants) but
                // holds: its handler waits for the release, so every request stays unanswered. Steps 2 and 3 answer.
                workers.add(ParticipantWorker.start(Participant.named(PREFIX + STEPS.get(0)).action("do", call -> {
                    release.await();
                    answered.incrementAndGet();
                    return Map.of("ok", true);
                }).compensation("undo", call -> { }).build(), bootstrap));
                for (int i = 1; i < STEPS.size(); i++) {
                    workers.add(ParticipantWorker.start(noOp(PREFIX + STEPS.get(i)), bootstrap));
                }

                // 1. Submit; wait until every first step is dispatched and the engine committed what it read.
                long t = System.nanoTime();
                Set<String> ids = Set.copyOf(submit(port, transactions));
                RecoveryProbes.awaitDispatched(bootstrap, PREFIX + STEPS.get(0), ids, LONG);
                RecoveryProbes.awaitGroupAtEnd(admin, applicationId, Topics.CONTROL.name(), 0, LONG);
                progress.printf("%s %d transactions accepted and step 1 dispatched to a held participant in %d ms%n",
                        tag, transactions, millisSince(t));

                // 2. SIGKILL; the held participant answers everything while the engine is down.
                engine.kill();
                String toRestore = RecoveryProbes.changelogSizes(admin, applicationId);
                String stateBefore = RecoveryProbes.describeState(dir.resolve("engine").resolve(applicationId));
                t = System.nanoTime();
                release.countDown();
                long answerDeadline = System.nanoTime() + LONG.toNanos();
                while (answered.get() < transactions) {
                    if (System.nanoTime() > answerDeadline) {
                        throw new IllegalStateException("the held participant answered " + answered.get() + " of "
                                + transactions + " within " + LONG);
                    }
                    Thread.sleep(20);
                }
                // Results are acked before the worker commits; its commit at the end means all are in the control log.
                RecoveryProbes.awaitGroupAtEnd(admin, "sagalog-participant-" + PREFIX + STEPS.get(0),
                        Topics.steps(PREFIX + STEPS.get(0)).name(), guarantee.equals("exactly_once_v2") ? 1 : 0, LONG);
                progress.printf("%s engine killed (SIGKILL); the participant answered %d requests while it was down "
                        + "(%d ms); task directories after the kill: %s%n", tag, answered.get(), millisSince(t), stateBefore);

                // 3. Restart and measure.
                try (RecoveryJournal journal = new RecoveryJournal(bootstrap, ids, STEPS.get(0))) {
                    long started = System.nanoTime();
                    engine.start();
                    engine.awaitReady(LONG);
                    long ready = System.nanoTime() - started;
                    journal.awaitAll(LONG);
                    Result result = new Result(round, variant.name(), ms(ready), ms(journal.lastMoved() - started),
                            ms(journal.lastFinal() - started));
                    progress.printf("%s (a) new process to ready line:            %6d ms%n", tag, result.readyMs());
                    progress.printf("%s (b) new process to all %d moved again:   %6d ms (first at %d ms)%n", tag,
                            transactions, result.movedMs(), ms(journal.firstMoved() - started));
                    progress.printf("%s     moved: %s%n", tag, journal.movedPercentiles(started));
                    progress.printf("%s (c) new process to all %d final:         %6d ms (%s)%n", tag, transactions,
                            result.finalMs(), journal.finals());
                    progress.printf("%s changelog end offsets at the kill (a full restore reads this much): %s%n", tag,
                            toRestore);
                    progress.printf("%s engine: %s%n", tag, String.join(" ", engine.lastCommand()));
                    progress.printf("%s engine log: %s; state wiped after the kill: %s%n", tag,
                            engine.stderrLog().toAbsolutePath(), RecoveryProbes.wipeEvidence(engine.stderrLog()));
                    return result;
                }
            } finally {
                release.countDown();
                engine.kill();
                workers.forEach(ParticipantWorker::close);
            }
        } finally {
            BaselineSupport.deleteRecursively(dir.resolve("kafka"));
            BaselineSupport.deleteRecursively(dir.resolve("engine"));
        }
    }

    /** The heap and collector the figures were measured with, the log at INFO, then the variant's own options. */
    private static List<String> jvmOptions(Path logs, Variant variant) {
        List<String> options = new ArrayList<>(List.of("-Xmx512m", "-XX:+UseSerialGC",
                "-Dlogback.configurationFile=" + EngineChild.logConfig(logs).toAbsolutePath()));
        options.addAll(variant.jvmOptions());
        return options;
    }

    private static Participant noOp(String name) {
        return Participant.named(name).action("do", call -> Map.of("ok", true)).compensation("undo", call -> { }).build();
    }

    private static String definitionJson() {
        ObjectNode root = JSON.createObjectNode().put("name", DEFINITION).put("deadline", "30m");
        ArrayNode steps = root.putArray("steps");
        for (String step : STEPS) {
            // A long timeout: the held first steps must not time out while the engine is down.
            steps.addObject().put("name", step).put("participant", PREFIX + step).put("action", "do")
                    .put("compensation", "undo").put("kind", "compensatable").put("timeout", "10m");
        }
        return root.toPrettyString();
    }

    private static List<String> submit(int port, int n) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String body = "{\"definition\":\"" + DEFINITION + "\",\"input\":{\"n\":" + i + "}}";
                futures.add(pool.submit(() -> {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                    + "/v1/transactions")).header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 202) {
                        throw new IllegalStateException("submit answered " + r.statusCode() + ": " + r.body());
                    }
                    return JSON.readTree(r.body()).path("txId").asText();
                }));
            }
            List<String> ids = new ArrayList<>();
            for (Future<String> f : futures) {
                ids.add(f.get(60, TimeUnit.SECONDS));
            }
            return ids;
        } finally {
            pool.shutdownNow();
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
