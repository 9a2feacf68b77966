package io.sagalog.app;

import static io.sagalog.app.CrashTestParticipants.PARTICIPANTS;
import static io.sagalog.app.CrashTestParticipants.STEPS;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.app.CrashTestParticipants.Call;
import io.sagalog.app.CrashTestParticipants.Effect;
import io.sagalog.app.CrashTestParticipants.Kind;
import io.sagalog.compensators.Participant;
import io.sagalog.compensators.ParticipantWorker;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The engine runs in a process of its own and is killed with SIGKILL twice while transactions are in flight, then
 * started again on the same data directory, application id and instance id. Participants (in this JVM, never killed)
 * fail now and then: transiently, by rejecting, or by answering after the step timeout. Afterwards every accepted
 * transaction must have ended, and what the participants did must agree with how it ended.
 */
@Tag("integration")
class EngineCrashRecoveryIntegrationTest {
    private static final int TRANSACTIONS = Integer.getInteger("sagalog.crash.transactions", 300);
    private static final int SUBMITTERS = 3;
    /** Pause of each submitter between two requests: about 40 submissions a second in all. */
    private static final long PACE_MILLIS = 70;
    /**
     * When to kill the engine, by transactions accepted so far; {@code -Dsagalog.crash.kills=30,60,90,...} runs more
     * rounds (each kill lands at a different point of the workload: mid-decision, mid-commit, between a timer firing
     * and its record being read back).
     */
    private static final int[] KILL_AT_ACCEPTED = java.util.Arrays.stream(
            System.getProperty("sagalog.crash.kills", "100,200").split(",")).mapToInt(Integer::parseInt).toArray();
    private static final Duration DOWN_TIME = Duration.ofMillis(1_000);
    private static final Duration READY = Duration.ofSeconds(60);
    private static final Duration ALL_FINAL = Duration.ofSeconds(90);
    private static final Set<String> FINAL = Set.of("COMPLETED", "ROLLED_BACK", "PARKED");
    private static final String STEP_LOGGER = "io.sagalog.compensators.internal.StepRunner";
    /** The engine's processing guarantee; {@code -Dsagalog.crash.guarantee=exactly_once_v2} runs the same test under EOS. */
    private static final String GUARANTEE = System.getProperty("sagalog.crash.guarantee", "at_least_once");

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String DEFINITION = "crash-trip-" + RUN;

    private static EmbeddedKafka ownKafka;
    private static String bootstrap;
    private static EngineProcess engine;
    private static CrashTestParticipants participants;
    private static final List<ParticipantWorker> workers = new ArrayList<>();
    private static Level stepLoggerLevel;
    private static volatile HttpTestClient client;

    @BeforeAll
    static void start() throws Exception {
        // Injected transient failures are expected here; StepRunner would log each with a stack trace.
        ch.qos.logback.classic.Logger stepLogger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(STEP_LOGGER);
        stepLoggerLevel = stepLogger.getLevel();
        stepLogger.setLevel(Level.ERROR);

        bootstrap = broker();
        Path base = Files.createDirectories(Path.of("target", "crash-it", RUN));
        Path definition = base.resolve(DEFINITION + ".json");
        Files.writeString(definition, definitionJson());
        engine = new EngineProcess(new EngineProcess.Settings(bootstrap, base.resolve("engine-data"),
                "crash-it-" + UUID.randomUUID(), "crash-it-engine-" + RUN, 3, List.of(definition), GUARANTEE,
                base));
        participants = new CrashTestParticipants(RUN.hashCode());
        long started = System.nanoTime();
        engine.start(); // creates the participants' topics before the workers subscribe
        client = new HttpTestClient(engine.awaitReady(READY));
        System.out.printf("[crash-it] run %s (%s): engine pid %d ready in %d ms; logs in %s%n", RUN, GUARANTEE, engine.pid(),
                millisSince(started), base.toAbsolutePath());
        for (Participant p : participants.participants()) {
            for (int i = 0; i < 3; i++) { // one per partition: a slow call holds up a third of the requests, not all
                workers.add(ParticipantWorker.start(p, bootstrap));
            }
        }
    }

    /**
     * A broker of this test's own (unless {@code KAFKA_BOOTSTRAP_SERVERS} names one): every engine on a broker follows
     * the shared registry and reads the whole control log, so an engine of another test class on the same broker would
     * drive these transactions too (and this engine theirs).
     */
    private static String broker() throws Exception {
        String external = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (external != null && !external.isBlank()) {
            return KafkaFixture.bootstrapServers();
        }
        ownKafka = EmbeddedKafka.start(Files.createTempDirectory("sagalog-crash-it-kafka"), 0, Map.of());
        return ownKafka.bootstrapServers();
    }

    @AfterAll
    static void stop() {
        if (engine != null) {
            engine.kill();
        }
        workers.forEach(ParticipantWorker::close);
        if (ownKafka != null) {
            ownKafka.close();
        }
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(STEP_LOGGER)).setLevel(stepLoggerLevel);
    }

    @Test
    void shouldFinishEveryAcceptedTransactionConsistentlyAcrossTwoEngineKills() throws Exception {
        long testStarted = System.nanoTime();
        Map<Integer, String> accepted = new ConcurrentHashMap<>();
        AtomicInteger notAccepted = new AtomicInteger();
        AtomicInteger nextSlot = new AtomicInteger();
        List<Throwable> submitterErrors = new CopyOnWriteArrayList<>();
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < SUBMITTERS; t++) {
            Thread thread = new Thread(() -> {
                try {
                    submitUntilDone(nextSlot, accepted, notAccepted);
                } catch (Throwable e) {
                    submitterErrors.add(e);
                }
            }, "crash-it-submitter-" + t);
            thread.start();
            submitters.add(thread);
        }

        List<Long> killSeqs = new ArrayList<>();
        List<Long> restartMillis = new ArrayList<>();
        for (int round = 0; round < KILL_AT_ACCEPTED.length; round++) {
            awaitAccepted(accepted, KILL_AT_ACCEPTED[round], submitterErrors);
            long pid = engine.pid();
            engine.kill();
            killSeqs.add(participants.seqNow());
            System.out.printf("[crash-it] SIGKILL #%d of engine pid %d at %d accepted%n", round + 1, pid, accepted.size());
            Thread.sleep(DOWN_TIME.toMillis()); // submissions meanwhile are refused; participants keep answering
            long restarted = System.nanoTime();
            engine.start();
            client = new HttpTestClient(engine.awaitReady(READY));
            restartMillis.add(millisSince(restarted));
            System.out.printf("[crash-it] engine restarted as pid %d, ready in %d ms%n", engine.pid(),
                    restartMillis.get(round));
        }
        for (Thread thread : submitters) {
            thread.join(Duration.ofSeconds(60).toMillis());
            assertThat(thread.isAlive()).as("submitter still running").isFalse();
        }
        assertThat(submitterErrors).isEmpty();
        assertThat(accepted).hasSize(TRANSACTIONS);
        long submitted = System.nanoTime();

        // Transactions whose 202 was lost with the process (appended, but the answer never came) still run: a
        // participant saw them. They are not counted as accepted, but they must end as well.
        Map<String, JsonNode> views = awaitAllFinal(accepted.values());
        awaitParticipantsQuiet();
        Set<String> acceptedIds = new LinkedHashSet<>(accepted.values());
        Set<String> orphans = participants.calls().stream().filter(c -> c.definition().equals(DEFINITION)).map(Call::txId)
                .filter(id -> !acceptedIds.contains(id))
                .collect(Collectors.toCollection(LinkedHashSet::new));
        Map<String, JsonNode> orphanViews = orphans.isEmpty() ? Map.of() : awaitAllFinal(orphans);
        long finished = System.nanoTime();
        Set<String> everyTx = new LinkedHashSet<>(acceptedIds);
        everyTx.addAll(orphans);
        CrashTestTopics topics = CrashTestTopics.read(bootstrap, PARTICIPANTS, everyTx);

        List<Call> calls = participants.calls();
        List<Effect> effects = participants.effects();
        Map<String, List<Call>> callsByTx = calls.stream().collect(Collectors.groupingBy(Call::txId));
        Map<String, List<Effect>> effectsByTx = effects.stream().collect(Collectors.groupingBy(Effect::txId));

        List<String> violations = new ArrayList<>();
        StringBuilder evidence = new StringBuilder();
        Map<String, Integer> statuses = new TreeMap<>();
        Map<String, Integer> rollbackRules = new TreeMap<>();
        Set<String> parkedReasons = new java.util.TreeSet<>();
        Map<String, JsonNode> all = new LinkedHashMap<>(views);
        all.putAll(orphanViews);
        for (Map.Entry<String, JsonNode> e : all.entrySet()) {
            String txId = e.getKey();
            JsonNode tx = e.getValue();
            if (acceptedIds.contains(txId)) {
                statuses.merge(tx.path("status").asText(), 1, Integer::sum);
            }
            if (tx.path("status").asText().equals("PARKED")) {
                parkedReasons.add(tx.path("reason").asText());
            }
            int before = violations.size();
            check(txId, tx, callsByTx.getOrDefault(txId, List.of()), effectsByTx.getOrDefault(txId, List.of()),
                    violations, rollbackRules);
            if (violations.size() > before) {
                evidence.append(describe(txId, tx, callsByTx.getOrDefault(txId, List.of()),
                        effectsByTx.getOrDefault(txId, List.of()), topics.of(txId)));
            }
        }
        participants.repeatedEffects().forEach((key, n) ->
                violations.add("(5) the effect of " + key + " happened " + n + " times"));
        participants.contextProblems().forEach(p -> violations.add("(context) " + p));

        // Diagnostics (not assertions): timeouts declared although the answer was already in the control log (the
        // engine fired a timer before reading its backlog), and requests on the wire that the final history does not
        // know about (decisions lost with a killed process, then made again differently).
        int spuriousTimeouts = 0;
        int forgottenRequests = 0;
        for (Map.Entry<String, JsonNode> e : all.entrySet()) {
            List<CrashTestTopics.Line> records = topics.of(e.getKey());
            Set<String> dispatched = new java.util.HashSet<>();
            for (JsonNode h : e.getValue().path("history")) {
                String type = h.path("type").asText();
                String phase = type.equals("StepTimedOut") || type.equals("StepDispatched") ? "ACTION" : "COMPENSATION";
                if (type.equals("StepDispatched") || type.equals("CompensationDispatched")) {
                    dispatched.add(phase + ":" + h.path("step").asText() + ":" + h.path("attempt").asInt());
                } else if (type.equals("StepTimedOut") || type.equals("CompensationTimedOut")) {
                    long at = java.time.Instant.parse(h.path("at").asText()).toEpochMilli();
                    boolean answered = records.stream().anyMatch(r -> r.kind().equals("result") && r.phase().equals(phase)
                            && r.step().equals(h.path("step").asText()) && r.attempt() == h.path("attempt").asInt()
                            && r.timestamp() < at);
                    spuriousTimeouts += answered ? 1 : 0;
                }
            }
            forgottenRequests += (int) records.stream().filter(r -> r.kind().equals("request"))
                    .map(r -> r.phase() + ":" + r.step() + ":" + r.attempt()).distinct()
                    .filter(k -> !dispatched.contains(k)).count();
        }

        // Both kills must have hit transactions in flight: some had participant calls before and after the kill.
        List<Integer> spanning = new ArrayList<>();
        for (long killSeq : killSeqs) {
            int n = 0;
            for (List<Call> txCalls : callsByTx.values()) {
                boolean before = txCalls.stream().anyMatch(c -> c.seq() <= killSeq);
                boolean after = txCalls.stream().anyMatch(c -> c.seq() > killSeq);
                n += before && after ? 1 : 0;
            }
            spanning.add(n);
        }

        System.out.printf("[crash-it] summary: accepted %d, completed %d, rolled back %d, parked %d; not accepted "
                        + "(refused while down) %d; appended but answer lost %d; participant calls %d, effects %d, "
                        + "duplicate deliveries %d (step requests written twice by the engine: %d; requests the final histories do not "
                        + "know: %d; timeouts declared with the answer already in the log: %d); injected: transient %d, rejections %d, slow %d; transactions "
                        + "in flight across kill #1/#2: %s; restart-to-ready ms %s; rollback rules %s; submit phase %d ms, "
                        + "all final %d ms later, total %d ms; parked because: %s%n",
                acceptedIds.size(), statuses.getOrDefault("COMPLETED", 0), statuses.getOrDefault("ROLLED_BACK", 0),
                statuses.getOrDefault("PARKED", 0), notAccepted.get(), orphans.size(), calls.size(), effects.size(),
                participants.duplicateDeliveries(), topics.repeatedStepRequests(), forgottenRequests, spuriousTimeouts,
                participants.transientInjected.get(),
                participants.rejectionsInjected.get(), participants.slowInjected.get(), spanning, restartMillis,
                rollbackRules, millisSince(testStarted) - millisSince(submitted), millisSince(submitted) - millisSince(finished),
                millisSince(testStarted), parkedReasons);
        Path evidenceFile = engine.stderrLog().resolveSibling("violations.txt");
        if (!violations.isEmpty()) {
            Files.writeString(evidenceFile, String.join("\n", violations) + "\n\n" + evidence);
        }
        assertThat(violations).as("invariant violations (details: %s; engine logs: %s)", evidenceFile.toAbsolutePath(),
                engine.stderrLog().toAbsolutePath()).isEmpty();
        assertThat(spanning).as("transactions in flight across each kill").allSatisfy(n -> assertThat(n).isPositive());
        assertThat(statuses.getOrDefault("COMPLETED", 0)).as("most transactions complete").isGreaterThan(TRANSACTIONS / 2);
        assertThat(statuses.getOrDefault("ROLLED_BACK", 0)).as("the rejected ones roll back").isPositive();
    }

    /** The checks of one finished transaction against its history and what the participants saw and did. */
    private static void check(String txId, JsonNode tx, List<Call> calls, List<Effect> effects, List<String> violations,
                              Map<String, Integer> rollbackRules) {
        String status = tx.path("status").asText();
        String where = txId + " (" + status + ")";

        // 1. Final, and a parked transaction says why.
        if (!FINAL.contains(status)) {
            violations.add("(1) " + where + " is not final");
            return;
        }
        if (status.equals("PARKED") && tx.path("reason").asText("").isBlank()) {
            violations.add("(1) " + where + " is parked without a reason");
        }

        List<Effect> actions = effects.stream().filter(f -> f.kind() == Kind.ACTION).toList();
        List<Effect> compensations = effects.stream().filter(f -> f.kind() == Kind.COMPENSATION)
                .sorted(Comparator.comparingLong(Effect::seq)).toList();

        // 2. A compensation effect only for a step whose action was called (before it), or whose outcome the engine
        //    could not know (it timed out: in doubt), in which case the compensation must find nothing to undo.
        Set<String> inDoubt = StreamSupport.stream(tx.path("history").spliterator(), false)
                .filter(h -> h.path("type").asText().equals("StepTimedOut")
                        || (h.path("type").asText().equals("StepFailed")
                            && h.path("detail").path("outcome").asText().equals("UNKNOWN")))
                .map(h -> h.path("step").asText()).collect(Collectors.toSet());
        for (Effect c : compensations) {
            boolean called = calls.stream().anyMatch(k -> k.kind() == Kind.ACTION && k.step().equals(c.step())
                    && k.seq() < c.seq());
            if (!called && !(inDoubt.contains(c.step()) && !c.undidSomething())) {
                violations.add("(2) " + where + ": " + c.step() + " was compensated, but its action was never called");
            }
        }

        // 3. Compensation effects in reverse step order (a step whose success arrived after the rollback began is
        //    compensated when it turns up: LateEffectCompensated).
        Set<String> late = StreamSupport.stream(tx.path("history").spliterator(), false)
                .filter(h -> h.path("type").asText().equals("LateEffectCompensated")).map(h -> h.path("step").asText())
                .collect(Collectors.toSet());
        List<Integer> order = compensations.stream().filter(c -> !late.contains(c.step()))
                .map(c -> STEPS.indexOf(c.step())).toList();
        for (int i = 1; i < order.size(); i++) {
            if (order.get(i) >= order.get(i - 1)) {
                violations.add("(3) " + where + ": compensations ran in the order "
                        + compensations.stream().map(Effect::step).toList() + ", not newest step first");
                break;
            }
        }

        // 4. Nothing moves forward once rollback began.
        List<JsonNode> history = StreamSupport.stream(tx.path("history").spliterator(), false)
                .sorted(Comparator.comparingLong(h -> h.path("seq").asLong())).toList();
        long rollbackSeq = -1;
        for (JsonNode h : history) {
            if (h.path("type").asText().equals("RecoveryDecided")
                    && h.path("detail").path("direction").asText().equals("ROLLBACK")) {
                if (rollbackSeq < 0) {
                    rollbackSeq = h.path("seq").asLong();
                    rollbackRules.merge(h.path("detail").path("rule").asText(), 1, Integer::sum);
                }
            } else if (rollbackSeq >= 0 && Set.of("StepDispatched", "StepSucceeded", "TxCompleted")
                    .contains(h.path("type").asText())) {
                violations.add("(4) " + where + ": " + h.path("type").asText() + " " + h.path("step").asText()
                        + " (seq " + h.path("seq").asLong() + ") after the rollback decision at seq " + rollbackSeq);
            }
        }
        for (int i = 1; i < history.size(); i++) {
            if (history.get(i).path("seq").asLong() != history.get(i - 1).path("seq").asLong() + 1) {
                violations.add("(history) " + where + ": seq " + history.get(i - 1).path("seq").asLong() + " is followed by "
                        + history.get(i).path("seq").asLong());
                break;
            }
        }

        // 5 is counted over all keys by the participants (repeatedEffects).

        // 6. How it ended agrees with what the participants did.
        Set<String> actionSteps = actions.stream().map(Effect::step).collect(Collectors.toSet());
        if (status.equals("COMPLETED")) {
            if (!actionSteps.containsAll(STEPS)) {
                violations.add("(6) " + where + " has action effects only for " + actionSteps);
            }
            if (!compensations.isEmpty()) {
                violations.add("(6) " + where + " has compensation effects for "
                        + compensations.stream().map(Effect::step).toList());
            }
            List<String> types = history.stream().map(h -> h.path("type").asText()).toList();
            int completedAt = types.indexOf("TxCompleted");
            if (completedAt < 0 || types.subList(completedAt + 1, types.size()).stream()
                    .anyMatch(t -> !t.equals("ResultIgnored") && !t.equals("RequestIgnored"))) {
                violations.add("(6) " + where + ": its history has no TxCompleted, or more than ignored inputs after it");
            }
        } else if (status.equals("ROLLED_BACK")) {
            // Participants: every action effect was undone, by a compensation that came after it.
            for (Effect a : actions) {
                boolean undone = compensations.stream().anyMatch(c -> c.step().equals(a.step()) && c.seq() > a.seq()
                        && c.undidSomething());
                if (!undone) {
                    violations.add("(6) " + where + ": the effect of " + a.step() + " was never undone");
                }
            }
            // Engine: every step that completed was compensated.
            Set<String> succeeded = history.stream().filter(h -> h.path("type").asText().equals("StepSucceeded"))
                    .map(h -> h.path("step").asText()).collect(Collectors.toSet());
            Set<String> compensatedInHistory = history.stream()
                    .filter(h -> h.path("type").asText().equals("StepCompensated"))
                    .map(h -> h.path("step").asText()).collect(Collectors.toSet());
            if (!compensatedInHistory.containsAll(succeeded)) {
                violations.add("(6) " + where + ": steps " + succeeded + " succeeded but only " + compensatedInHistory
                        + " were compensated");
            }
            for (JsonNode s : tx.path("steps")) {
                if (s.path("status").asText().equals("SUCCEEDED")) {
                    violations.add("(6) " + where + ": step " + s.path("name").asText() + " is still SUCCEEDED");
                }
            }
        }
    }

    /** One transaction as the engine and the participants saw it, for a person reading a failure. */
    private static String describe(String txId, JsonNode tx, List<Call> calls, List<Effect> effects,
                                   List<CrashTestTopics.Line> records) {
        StringBuilder b = new StringBuilder("=== ").append(txId).append(' ').append(tx.path("status").asText())
                .append(" input ").append(tx.path("input")).append("\nsteps ").append(tx.path("steps"))
                .append("\nhistory:\n");
        for (JsonNode h : tx.path("history")) {
            b.append("  ").append(h.path("seq").asLong()).append(' ').append(h.path("at").asText()).append(' ')
                    .append(h.path("type").asText()).append(' ').append(h.path("step").asText("")).append(" #")
                    .append(h.path("attempt").asText("")).append(' ').append(h.path("status").asText()).append(' ')
                    .append(h.path("reason").asText("")).append(' ').append(h.path("detail").toString()).append('\n');
        }
        b.append("participant calls and effects (ledger order):\n");
        List<Object[]> rows = new ArrayList<>();
        calls.forEach(c -> rows.add(new Object[] {c.seq(), "call   " + c.kind() + " " + c.step() + " attempt " + c.attempt()
                + " at " + java.time.Instant.ofEpochMilli(c.atMillis())}));
        effects.forEach(f -> rows.add(new Object[] {f.seq(), "effect " + f.kind() + " " + f.step()
                + (f.kind() == Kind.COMPENSATION ? (f.undidSomething() ? " (undid the action)" : " (nothing to undo)") : "")}));
        rows.sort(Comparator.comparingLong(r -> (Long) r[0]));
        rows.forEach(r -> b.append("  ").append(r[0]).append(' ').append(r[1]).append('\n'));
        b.append("records in the control log and the step topics (uncommitted included):\n");
        records.forEach(r -> b.append("  ").append(r).append('\n'));
        return b.append('\n').toString();
    }

    // ---- driving the engine -------------------------------------------------------------------------------

    /** Claims slot numbers until all are taken; each slot is submitted again until it is accepted. */
    private static void submitUntilDone(AtomicInteger nextSlot, Map<Integer, String> accepted, AtomicInteger notAccepted)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120 + 30L * KILL_AT_ACCEPTED.length).toNanos();
        int slot;
        while ((slot = nextSlot.getAndIncrement()) < TRANSACTIONS) {
            while (true) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not submit transaction " + slot + " in time (120 s and 30 s per kill)");
                }
                HttpTestClient c = client;
                try {
                    HttpResponse<String> r = c.submit(requestJson(slot));
                    if (r.statusCode() == 202) {
                        accepted.put(slot, HttpTestClient.JSON.readTree(r.body()).path("txId").asText());
                        Thread.sleep(PACE_MILLIS);
                        break;
                    }
                    if (r.statusCode() != 503) {
                        throw new AssertionError("unexpected answer " + r.statusCode() + ": " + r.body());
                    }
                } catch (java.io.IOException e) {
                    // connection refused or reset: the engine is down; nothing was accepted
                }
                notAccepted.incrementAndGet();
                Thread.sleep(100);
            }
        }
    }

    private static String requestJson(int slot) {
        ObjectNode input = HttpTestClient.JSON.createObjectNode().put("n", slot).put("run", RUN);
        if (slot % 20 == 7) { // 5% are rejected by one of the participants
            input.put("rejectAt", STEPS.get((slot / 20) % STEPS.size()));
        }
        ObjectNode body = HttpTestClient.JSON.createObjectNode().put("definition", DEFINITION);
        body.set("input", input);
        return body.toString();
    }

    private static void awaitAccepted(Map<Integer, String> accepted, int n, List<Throwable> errors) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (accepted.size() < n) {
            assertThat(errors).isEmpty();
            assertThat(System.nanoTime()).as("%d transactions accepted within 60 s", n).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** Polls every transaction until all are final; fails with the ones that are not. */
    private static Map<String, JsonNode> awaitAllFinal(java.util.Collection<String> txIds) throws Exception {
        long deadline = System.nanoTime() + ALL_FINAL.toNanos();
        Map<String, JsonNode> finals = new HashMap<>();
        Map<String, String> lastSeen = new HashMap<>();
        Set<String> pending = new LinkedHashSet<>(txIds);
        while (!pending.isEmpty()) {
            for (var it = pending.iterator(); it.hasNext(); ) {
                String txId = it.next();
                HttpResponse<String> r;
                try {
                    r = client.get("/v1/transactions/" + txId);
                } catch (java.io.IOException e) {
                    lastSeen.put(txId, e.toString());
                    continue;
                }
                lastSeen.put(txId, r.statusCode() + " " + r.body());
                if (r.statusCode() == 200) {
                    JsonNode tx = HttpTestClient.JSON.readTree(r.body());
                    if (FINAL.contains(tx.path("status").asText())) {
                        finals.put(txId, tx);
                        it.remove();
                    }
                }
            }
            if (!pending.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    String sample = pending.stream().limit(3).map(id -> id + " -> " + abbreviate(lastSeen.get(id)))
                            .collect(Collectors.joining("\n  "));
                    throw new AssertionError(pending.size() + " transactions are not final after " + ALL_FINAL
                            + " (engine logs: " + engine.stderrLog().toAbsolutePath() + "), e.g.\n  " + sample);
                }
                Thread.sleep(250);
            }
        }
        return finals;
    }

    /** Late and duplicate requests may still be in the participants' topics; let them drain. */
    private static void awaitParticipantsQuiet() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (participants.nanosSinceLastCall() < Duration.ofMillis(2_500).toNanos() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private static String definitionJson() {
        ObjectNode root = HttpTestClient.JSON.createObjectNode().put("name", DEFINITION).put("deadline", "2m");
        ArrayNode steps = root.putArray("steps");
        for (int i = 0; i < STEPS.size(); i++) {
            ObjectNode step = steps.addObject().put("name", STEPS.get(i)).put("participant", PARTICIPANTS.get(i))
                    .put("action", CrashTestParticipants.ACTIONS.get(i))
                    .put("compensation", CrashTestParticipants.COMPENSATIONS.get(i))
                    .put("kind", "compensatable").put("timeout", "2s");
            step.putObject("retry").put("maxAttempts", 4).put("initialBackoff", "100ms").put("multiplier", 2)
                    .put("maxBackoff", "1s").put("jitter", 0.2);
        }
        return root.toPrettyString();
    }

    private static String abbreviate(String s) {
        return s == null ? "nothing" : s.length() > 1500 ? s.substring(0, 1500) + "..." : s;
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
