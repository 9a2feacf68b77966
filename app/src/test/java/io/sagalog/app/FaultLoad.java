package io.sagalog.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Open-loop load through every engine's HTTP, round-robin, at a fixed rate whatever the answers (a stopped instance
 * does not slow the others' load down), and what became of every accepted transaction afterwards.
 */
final class FaultLoad implements AutoCloseable {
    static final Set<String> FINAL = Set.of("COMPLETED", "ROLLED_BACK", "PARKED");

    /** One submit: when it was sent, to which engine, and its answer (status 0: no answer, e.g. refused, timed out). */
    record Submit(long seq, Instant sentAt, int engine, int status, String txId, long millis, String error) {
        boolean accepted() {
            return status == 202;
        }
    }

    private final ExecutorService httpThreads = Executors.newFixedThreadPool(4);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .executor(httpThreads).build();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private final ConcurrentLinkedQueue<Submit> submits = new ConcurrentLinkedQueue<>();
    private final List<java.util.concurrent.CompletableFuture<?>> pending = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicLong seq = new AtomicLong();
    private final IntFunction<String> baseUrl;
    private final int engines;
    private final String definition;

    /** @param baseUrl engine n (from 1) to its base URL */
    FaultLoad(IntFunction<String> baseUrl, int engines, String definition) {
        this.baseUrl = baseUrl;
        this.engines = engines;
        this.definition = definition;
    }

    /** Sends {@code perSecond} submits a second until {@link #stop}. */
    void start(int perSecond) {
        ticker.scheduleAtFixedRate(this::submitOne, 0, 1_000_000 / perSecond, TimeUnit.MICROSECONDS);
    }

    private void submitOne() {
        long n = seq.incrementAndGet();
        int engine = (int) (n % engines) + 1;
        Instant sent = Instant.now();
        long t0 = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl.apply(engine) + "/v1/transactions"))
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"definition\":\"" + definition + "\",\"input\":{\"n\":" + n + "}}"))
                .build();
        pending.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (e != null) {
                submits.add(new Submit(n, sent, engine, 0, null, ms, e.toString()));
                return;
            }
            String txId = null;
            if (r.statusCode() == 202) {
                try {
                    txId = HttpTestClient.JSON.readTree(r.body()).path("txId").asText();
                } catch (Exception x) {
                    // leave null: counted as accepted without an id, which the checks report
                }
            }
            submits.add(new Submit(n, sent, engine, r.statusCode(), txId, ms, r.statusCode() == 202 ? null : r.body()));
        }));
    }

    /** Stops sending and waits for every answer (each bounded by the request timeout). */
    void stop() throws Exception {
        ticker.shutdownNow();
        ticker.awaitTermination(5, TimeUnit.SECONDS);
        for (var f : pending) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // recorded as status 0
            }
        }
    }

    List<Submit> submits() {
        return new ArrayList<>(submits);
    }

    /**
     * Returns once the load has offered {@code duration}'s worth of submits at {@code perSecond} from now: the load,
     * not the clock, says when a phase is over (a starved ticker catches up before the phase ends).
     */
    void awaitOffered(int perSecond, Duration duration) {
        long target = seq.get() + perSecond * duration.toMillis() / 1000;
        org.awaitility.Awaitility.await("the load to offer " + duration + " of submits")
                .atMost(duration.multipliedBy(4).plusSeconds(30)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(20)).until(() -> seq.get() >= target);
    }

    List<Submit> accepted() {
        return submits.stream().filter(Submit::accepted).toList();
    }

    /**
     * Polls every accepted transaction (through whichever engine answers) until all are final or {@code timeout}
     * passes; returns the last JSON seen per txId (absent: never found).
     */
    Map<String, JsonNode> awaitFinal(Collection<String> txIds, Duration timeout) throws Exception {
        Map<String, JsonNode> last = new java.util.concurrent.ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<String> open = new java.util.concurrent.CopyOnWriteArrayList<>(txIds);
            try {
                // One polling round per attempt: read every transaction not final yet, keep the open ones.
                org.awaitility.Awaitility.await("every accepted transaction final").atMost(timeout)
                        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500)).until(() -> {
                            List<Future<?>> reads = new ArrayList<>();
                            for (String id : open) {
                                reads.add(pool.submit(() -> {
                                    JsonNode tx = read(id);
                                    if (tx != null) {
                                        last.put(id, tx);
                                    }
                                    return null;
                                }));
                            }
                            for (Future<?> f : reads) {
                                f.get();
                            }
                            open.removeIf(id -> last.containsKey(id)
                                    && FINAL.contains(last.get(id).path("status").asText()));
                            return open.isEmpty();
                        });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // Not all final in time: the caller reports the ones left open as violations.
            }
        } finally {
            pool.shutdownNow();
        }
        return new HashMap<>(last);
    }

    /** GET /v1/transactions/{id} on the first engine that answers 200; null if none does. */
    JsonNode read(String txId) {
        for (int e = 1; e <= engines; e++) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl.apply(e) + "/v1/transactions/" + txId))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return HttpTestClient.JSON.readTree(r.body());
                }
            } catch (Exception x) {
                // try the next
            }
        }
        return null;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        httpThreads.shutdownNow();
    }
}
