package io.sagalog.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.compensators.Participant;
import io.sagalog.compensators.ParticipantWorker;
import io.sagalog.schemas.Topics;
import io.sagalog.schemas.avro.JournalEvent;
import io.sagalog.schemas.avro.JournalRecord;
import io.sagalog.schemas.avro.StepRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * How long the engine takes to recover after SIGKILL with a backlog waiting for it. Not a test; run with
 *
 * <pre>{@code
 * (README "Time to recover" has the command that runs from a fresh clone; with the modules installed, also:)
 * ./sagalog --version && cd app && mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.sagalog.app.RecoveryTimeBenchmark -Dexec.args="at_least_once"   # or exactly_once_v2
 * }</pre>
 *
 * <p>Arguments: processing guarantee ({@code at_least_once} or {@code exactly_once_v2}), then optionally the number
 * of transactions (default 1000) and of measured rounds on fresh brokers (default 1), after one warm-up round.
 *
 * <p>One round: an embedded broker, an engine process ({@code sagalog engine}), 1,000 transactions of a 3-step saga
 * whose first participant holds: its handler waits for a release, so every first step is dispatched and unanswered
 * (the requests are read and counted from the participant's topic). Once all 1,000 are dispatched and the engine has committed
 * its input offsets, the engine is killed with SIGKILL; the first participant is released and answers every request
 * while the engine is down (its results wait in the control log); then the engine is started again with the same
 * data directory, application id and instance id. Measured from the start of the new process: (a) its ready line,
 * (b) the last of the 1,000 journaling step 1 succeeded (it moved again), (c) the last one final. The journal is read
 * with {@code read_committed}, so under exactly_once_v2 only committed decisions count.
 *
 * <p>The engine is started from {@code target/sagalog.jar} as {@code ./sagalog engine} starts it, once with the
 * application class-data archive the launcher prepares ({@code target/sagalog.jsa}) and once without it, alternating
 * in every round.
 */
public final class RecoveryTimeBenchmark {
    private static final String DEFINITION = "recovery-bench";
    private static final List<String> STEPS = List.of("first", "second", "third");
    private static final String PREFIX = "rb-";

    private RecoveryTimeBenchmark() {}

    /** How the engine process is started: the runnable jar, with or without its class-data archive. */
    private record Variant(String name, List<String> jvmOptions) {}

    /** One measured restart. */
    private record Result(int round, String variant, long readyMs, long movedMs, long finalMs) {}

    public static void main(String[] args) throws Exception {
        String guarantee = args.length > 0 ? args[0] : "at_least_once";
        int transactions = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        if (!guarantee.equals("at_least_once") && !guarantee.equals("exactly_once_v2")) {
            throw new IllegalArgumentException("the first argument is at_least_once or exactly_once_v2, not " + guarantee);
        }
        // The engine runs as ./sagalog engine runs it: from the jar, with the class-data archive the launcher made.
        Path jar = Path.of("target", "sagalog.jar");
        Path archive = Path.of("target", "sagalog.jsa");
        if (!Files.exists(jar) || !Files.exists(archive)
                || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) < 0) {
            throw new IllegalStateException("run ../sagalog --version first (from app/): it builds target/sagalog.jar and "
                    + "its class-data archive target/sagalog.jsa, which this benchmark starts the engine with");
        }
        quietLogs();
        System.out.println("command: ./sagalog --version && cd app && mvn -B -q test-compile exec:java "
                + "-Dexec.classpathScope=test -Dexec.mainClass=" + RecoveryTimeBenchmark.class.getName()
                + " -Dexec.args=\"" + String.join(" ", args) + "\"");
        // Both variants in every round, alternating, so the machine's noise and warm-up favour neither.
        List<Variant> variants = List.of(new Variant("jar, the JDK's own class archive only", List.of("-Xshare:auto")),
                new Variant("jar + class-data archive", List.of("-XX:SharedArchiveFile=" + archive.toAbsolutePath(),
                        "-Xlog:cds=off", "-Xlog:cds+dynamic=off")));
        // Round 0 warms this JVM, which hosts the broker and the participants: in a running system they are long up
        // and warm, and only the engine is new. Its figures are printed but not counted.
        round(guarantee, transactions, 0, variants.get(1), jar);
        List<Result> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (Variant v : variants) {
                results.add(round(guarantee, transactions, round, v, jar));
            }
        }
        System.out.printf("%n%s, %d transactions in flight, engine killed with SIGKILL and restarted; from the new process's start:%n",
                guarantee, transactions);
        System.out.println("| round | engine started as | to ready | to all moved again | to all final |");
        System.out.println("|---:|---|---:|---:|---:|");
        for (Result r : results) {
            System.out.printf("| %d | %s | %.1f s | %.1f s | %.1f s |%n", r.round(), r.variant(), r.readyMs() / 1e3,
                    r.movedMs() / 1e3, r.finalMs() / 1e3);
        }
    }

    private static Result round(String guarantee, int transactions, int round, Variant variant, Path jar) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Path dir = Files.createTempDirectory("sagalog-recovery-bench");
        Path logs = Files.createDirectories(Path.of("target", "recovery-bench", run));
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, Map.of());
        String bootstrap = kafka.bootstrapServers();
        Path definition = logs.resolve(DEFINITION + ".json");
        Files.writeString(definition, definitionJson());
        String applicationId = "recovery-bench-" + run;
        EngineProcess engine = new EngineProcess(new EngineProcess.Settings(bootstrap, dir.resolve("engine"), applicationId,
                "recovery-bench-engine", 3, List.of(definition), guarantee, logs), jar, variant.jvmOptions());
        System.out.printf("[round %d %s] engine started as: %s%n", round, guarantee, variant.name());
        List<ParticipantWorker> workers = new ArrayList<>();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            engine.start();
            int port = engine.awaitReady(Duration.ofSeconds(120));
            // Step 1's participant is there (registered: the engine parks steps of unknown participants) but holds:
            // its handler waits for the release, so every request stays unanswered. Steps 2 and 3 answer at once.
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
            List<String> txIds = submit(port, transactions);
            Set<String> ids = Set.copyOf(txIds);
            awaitDispatched(bootstrap, ids);
            awaitCommitted(admin, applicationId);
            System.out.printf("[round %d %s] %d transactions accepted and step 1 dispatched to a held participant in %d ms%n",
                    round, guarantee, transactions, millisSince(t));

            // 2. SIGKILL; the held participant answers everything while the engine is down.
            engine.kill();
            String toRestore = changelogSizes(admin, applicationId);
            String stateBefore = describeState(dir.resolve("engine").resolve(applicationId));
            t = System.nanoTime();
            release.countDown();
            while (answered.get() < transactions) {
                Thread.sleep(20);
            }
            // Results are acked before the worker commits; its commit at the end means all are in the control log.
            awaitGroupAtEnd(admin, "sagalog-participant-" + PREFIX + STEPS.get(0), Topics.steps(PREFIX + STEPS.get(0)).name(),
                    guarantee.equals("exactly_once_v2") ? 1 : 0);
            System.out.printf("[round %d %s] engine killed (SIGKILL); the participant answered %d requests while it was down "
                    + "(%d ms); task directories after the kill: %s%n", round, guarantee, answered.get(), millisSince(t), stateBefore);

            // 3. Restart and measure.
            try (JournalWatch journal = new JournalWatch(bootstrap, ids)) {
                long started = System.nanoTime();
                engine.start();
                engine.awaitReady(Duration.ofSeconds(300));
                long ready = System.nanoTime() - started;
                journal.awaitAll(Duration.ofSeconds(300));
                long moved = journal.lastMoved - started;
                long allFinal = journal.lastFinal - started;
                long firstMoved = journal.firstMoved - started;
                System.out.printf("[round %d %s] (a) new process to ready line:            %6d ms%n", round, guarantee, ms(ready));
                System.out.printf("[round %d %s] (b) new process to all %d moved again:   %6d ms (first at %d ms)%n", round,
                        guarantee, transactions, ms(moved), ms(firstMoved));
                System.out.printf("[round %d %s]     moved: %s%n", round, guarantee, journal.movedPercentiles(started));
                System.out.printf("[round %d %s] (c) new process to all %d final:         %6d ms (%s)%n", round, guarantee,
                        transactions, ms(allFinal), journal.finals());
                System.out.printf("[round %d %s] changelog end offsets at the kill (a full restore reads this much): %s%n",
                        round, guarantee, toRestore);
                System.out.printf("[round %d %s] engine: %s%n", round, guarantee, engine.commandLine());
                System.out.printf("[round %d %s] engine log: %s; state wiped after the kill: %s%n", round, guarantee,
                        engine.stderrLog().toAbsolutePath(), wipeEvidence(engine.stderrLog()));
                return new Result(round, variant.name(), ms(ready), ms(moved), ms(allFinal));
            }
        } finally {
            release.countDown();
            engine.kill();
            workers.forEach(ParticipantWorker::close);
            kafka.close();
        }
    }

    private static Participant noOp(String name) {
        return Participant.named(name).action("do", call -> Map.of("ok", true)).compensation("undo", call -> { }).build();
    }

    private static String definitionJson() {
        ObjectNode root = HttpTestClient.JSON.createObjectNode().put("name", DEFINITION).put("deadline", "30m");
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
                    return HttpTestClient.JSON.readTree(r.body()).path("txId").asText();
                }));
            }
            List<String> ids = new ArrayList<>();
            for (Future<String> f : futures) {
                ids.add(f.get());
            }
            return ids;
        } finally {
            pool.shutdown();
        }
    }

    /** Reads the first participant's topic (committed records only) until every transaction has a request there. */
    private static void awaitDispatched(String bootstrap, Set<String> ids) {
        String topic = Topics.steps(PREFIX + STEPS.get(0)).name();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
            while (!seen.containsAll(ids)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + seen.size() + " of " + ids.size() + " first steps dispatched");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    StepRequest request = Topics.steps(PREFIX + STEPS.get(0)).serde().decode(r.value());
                    seen.add(request.getTxId());
                }
            }
        }
    }

    /** Waits until the engine's committed offsets reach the end of the control log (it read and committed everything). */
    private static void awaitCommitted(Admin admin, String applicationId) throws Exception {
        awaitGroupAtEnd(admin, applicationId, Topics.CONTROL.name(), 0);
    }

    /**
     * Waits until the group committed the end of the topic. {@code slack} 1 allows for a transaction marker after the
     * last record, which a consumer need not have stepped over (the engine writes step topics in transactions under
     * exactly_once_v2).
     */
    private static void awaitGroupAtEnd(Admin admin, String group, String topic, int slack) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
        while (true) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                    .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            boolean atEnd = end.entrySet().stream().allMatch(e -> {
                OffsetAndMetadata c = committed.get(e.getKey());
                return e.getValue() == 0 || (c != null && c.offset() >= e.getValue() - slack);
            });
            if (atEnd) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("group " + group + " did not reach the end of " + topic + ": " + committed
                        + " vs " + end);
            }
            Thread.sleep(100);
        }
    }

    /** Watches the journal for step 1 succeeding and for the end of every transaction. */
    private static final class JournalWatch implements AutoCloseable {
        private final Set<String> ids;
        private final Set<String> moved = ConcurrentHashMap.newKeySet();
        private final java.util.Queue<Long> movedAt = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final Map<String, String> finals = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;
        private final KafkaConsumer<String, byte[]> consumer;
        volatile long firstMoved;
        volatile long lastMoved;
        volatile long lastFinal;

        JournalWatch(String bootstrap, Set<String> ids) {
            this.ids = ids;
            consumer = consumer(bootstrap);
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOURNAL.name()).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            thread = new Thread(this::loop, "recovery-bench-journal");
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    JournalRecord record = Topics.JOURNAL.serde().decode(r.value());
                    if (!ids.contains(record.getTxId())) {
                        continue;
                    }
                    long now = System.nanoTime();
                    for (JournalEvent e : record.getEvents()) {
                        String type = e.getType();
                        if (type.equals("StepSucceeded") && STEPS.get(0).equals(e.getStep()) && moved.add(record.getTxId())) {
                            if (moved.size() == 1) {
                                firstMoved = now;
                            }
                            lastMoved = now;
                            movedAt.add(now);
                        } else if ((type.equals("TxCompleted") || type.equals("TxRolledBack") || type.equals("TxParked"))
                                && finals.putIfAbsent(record.getTxId(), e.getStatus()) == null) {
                            lastFinal = now;
                        }
                    }
                }
            }
            consumer.close();
        }

        void awaitAll(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (moved.size() < ids.size() || finals.size() < ids.size()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(moved.size() + " moved and " + finals.size() + " final of " + ids.size()
                            + " after " + timeout);
                }
                Thread.sleep(20);
            }
        }

        /** When the 10th, 50th and 90th percentile of the transactions moved, from {@code start}: the shape of the recovery. */
        String movedPercentiles(long start) {
            List<Long> times = movedAt.stream().sorted().toList();
            return java.util.stream.IntStream.of(10, 50, 90).mapToObj(p -> p + "% at "
                    + ms(times.get(Math.min(times.size() - 1, times.size() * p / 100)) - start) + " ms")
                    .collect(Collectors.joining(", "));
        }

        String finals() {
            return finals.values().stream().collect(Collectors.groupingBy(s -> s, java.util.TreeMap::new,
                    Collectors.counting())).toString();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5_000);
        }
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** End offsets of the engine's changelog topics: what a full restore has to read. */
    private static String changelogSizes(Admin admin, String applicationId) throws Exception {
        List<String> topics = admin.listTopics().names().get().stream().filter(n -> n.startsWith(applicationId + "-")
                && n.endsWith("-changelog")).sorted().toList();
        Map<String, Long> sizes = new java.util.TreeMap<>();
        for (var d : admin.describeTopics(topics).allTopicNames().get().values()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
            long sum = admin.listOffsets(latest).all().get().values().stream().mapToLong(i -> i.offset()).sum();
            sizes.put(d.name().substring(applicationId.length() + 1), sum);
        }
        return sizes.toString();
    }

    /** What the restarted engine logged about corrupted or wiped local state, if anything. */
    private static String wipeEvidence(Path log) throws Exception {
        List<String> lines = Files.readAllLines(log);
        int restart = lines.lastIndexOf("===== start #2 =====");
        List<String> hits = lines.subList(Math.max(0, restart), lines.size()).stream()
                .filter(l -> l.contains("TaskCorrupted") || l.contains("valid state") || l.contains("wip")
                        || l.contains("corrupt"))
                .toList();
        return hits.isEmpty() ? "no (nothing logged about corrupted state)"
                : "yes, " + hits.size() + " log lines, first: " + hits.get(0).substring(0, Math.min(300, hits.get(0).length()));
    }

    /** Which task directories have a .checkpoint file (without one, the store is restored from the changelog's start). */
    private static String describeState(Path appDir) throws Exception {
        if (!Files.isDirectory(appDir)) {
            return "no state directory";
        }
        try (Stream<Path> tasks = Files.list(appDir)) {
            return tasks.filter(Files::isDirectory).sorted().map(t -> t.getFileName() + (Files.exists(t.resolve(".checkpoint"))
                    ? " has a .checkpoint" : " has no .checkpoint")).collect(Collectors.joining(", "));
        }
    }

    private static void quietLogs() {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.ERROR);
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}
