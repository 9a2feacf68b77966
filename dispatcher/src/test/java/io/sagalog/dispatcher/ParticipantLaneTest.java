package io.sagalog.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.dispatcher.ParticipantLane.Answer;
import io.sagalog.engine.CallbackTokens;
import io.sagalog.engine.registry.ParticipantInfo;
import io.sagalog.schemas.avro.Outcome;
import io.sagalog.schemas.avro.Phase;
import io.sagalog.schemas.avro.StepRequest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.client.WebClient;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The lane against real sockets: how each way an HTTP call can end is reported (the table of {@link HttpOutcomes}),
 * that a request past its deadline is never sent, and that a step's compensation never overlaps its action.
 */
class ParticipantLaneTest {
    private static Vertx vertx;
    private static WebClient client;
    private static HttpServer server;
    private static int port;
    /** path -> how that path answers; every request is recorded first. */
    private static final Map<String, BiConsumer<HttpServerRequest, String>> behaviours = new ConcurrentHashMap<>();
    private static final List<String> received = new CopyOnWriteArrayList<>();
    private static final CallbackTokens TOKENS = new CallbackTokens(new byte[32]);

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
        server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            String call = req.path() + " " + body.toJsonObject().getString("phase") + " "
                    + body.toJsonObject().getString("txId") + " " + body.toJsonObject().getString("step");
            received.add(call);
            behaviours.getOrDefault(req.path(), (r, c) -> r.response().end("{}")).accept(req, call);
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        port = server.actualPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    // ---- answers ------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "HTTP {0} {1} -> {2}")
    @CsvSource({
            "200, '',                     SUCCEEDED",
            "201, '',                     SUCCEEDED",
            "409, '',                     FAILED_PERMANENT",
            "422, '',                     FAILED_PERMANENT",
            "400, '',                     FAILED_TRANSIENT",
            "404, '',                     FAILED_TRANSIENT",
            "429, '',                     FAILED_TRANSIENT",
            "500, '',                     UNKNOWN",
            "502, '',                     UNKNOWN",
            "503, '',                     UNKNOWN",
            "504, '',                     UNKNOWN",
            "503, 'Sagalog-Effect: none', FAILED_TRANSIENT",
            "500, 'Sagalog-Effect: none', FAILED_TRANSIENT",
            "409, 'Sagalog-Effect: none', FAILED_PERMANENT",
            "303, 'Location: /elsewhere', UNKNOWN",
            "302, 'Location: /elsewhere', FAILED_TRANSIENT",
    })
    void shouldReportEachAnswerByWhetherTheEffectMayHaveHappened(int status, String header, Outcome expected) throws Exception {
        String path = "/answers-" + status + "-" + header.hashCode();
        behaviours.put(path, (req, call) -> {
            var response = req.response().setStatusCode(status);
            if (!header.isEmpty()) {
                String[] h = header.split(": ");
                response.putHeader(h[0], h[1]);
            }
            response.end(status < 300 ? "{\"ok\":true}" : "{\"error\":\"status " + status + "\"}");
        });
        ParticipantLane lane = lane(path, Duration.ofSeconds(5), 4);

        Answer answer = call(lane, request("tx-" + path, "one", Phase.ACTION, deadlineIn(5_000)));

        assertThat(answer.later()).isFalse();
        assertThat(answer.outcome()).isEqualTo(expected);
        if (status >= 300) {
            assertThat(answer.error()).contains("HTTP " + status);
        } else {
            assertThat(answer.output()).isEqualTo("{\"ok\":true}");
        }
        lane.close();
    }

    @Test
    void shouldTakeA202AsAnAnswerThatComesLater() throws Exception {
        behaviours.put("/later", (req, call) -> req.response().setStatusCode(202).end());
        ParticipantLane lane = lane("/later", Duration.ofSeconds(5), 4);

        Answer answer = call(lane, request("tx-later", "one", Phase.ACTION, deadlineIn(5_000)));

        assertThat(answer.later()).isTrue();
        lane.close();
    }

    @Test
    void shouldNotFollowARedirect() throws Exception {
        behaviours.put("/moved", (req, call) -> req.response().setStatusCode(307).putHeader("Location", "/moved-here").end());
        ParticipantLane lane = lane("/moved", Duration.ofSeconds(5), 4);

        Answer answer = call(lane, request("tx-moved", "one", Phase.ACTION, deadlineIn(5_000)));

        assertThat(answer.outcome()).isEqualTo(Outcome.FAILED_TRANSIENT);
        assertThat(answer.error()).contains("HTTP 307").contains("/moved-here").contains("not followed");
        assertThat(received).noneMatch(r -> r.startsWith("/moved-here "));
        lane.close();
    }

    @Test
    void shouldReportAnOutputOverTheLimitAsUnknownSinceTheEffectHappened() throws Exception {
        String big = "\"" + "x".repeat(HttpOutcomes.MAX_OUTPUT_BYTES) + "\"";
        behaviours.put("/big-sized", (req, call) -> req.response().end(big));
        behaviours.put("/big-chunked", (req, call) -> req.response().setChunked(true).write("\"" + "y".repeat(200_000))
                .compose(v -> req.response().end("y".repeat(100_000) + "\"")));
        for (String path : List.of("/big-sized", "/big-chunked")) {
            ParticipantLane lane = lane(path, Duration.ofSeconds(5), 4);

            Answer answer = call(lane, request("tx" + path, "one", Phase.ACTION, deadlineIn(5_000)));

            assertThat(answer.outcome()).as(path).isEqualTo(Outcome.UNKNOWN);
            assertThat(answer.output()).isNull();
            assertThat(answer.error()).contains("HTTP 200").contains(String.valueOf(HttpOutcomes.MAX_OUTPUT_BYTES));
            lane.close();
        }
    }

    @Test
    void shouldKeepAtMostFourKibOfAnErrorAnswer() throws Exception {
        behaviours.put("/loud", (req, call) -> req.response().setStatusCode(500).end("e".repeat(1_000_000)));
        ParticipantLane lane = lane("/loud", Duration.ofSeconds(5), 4);

        Answer answer = call(lane, request("tx-loud", "one", Phase.ACTION, deadlineIn(5_000)));

        assertThat(answer.outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(answer.error()).contains("HTTP 500").contains("cut at 4096 bytes");
        assertThat(answer.error().length()).isLessThan(HttpOutcomes.MAX_ERROR_BYTES + 400);
        lane.close();
    }

    // ---- the transport ------------------------------------------------------------------------------------

    @Test
    void shouldReportARefusedConnectionAsTransientSinceNothingWasSent() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        ParticipantLane lane = lane("http://127.0.0.1:" + closedPort + "/refused", Duration.ofSeconds(5), 4);

        Answer answer = call(lane, request("tx-refused", "one", Phase.ACTION, deadlineIn(5_000)));

        assertThat(answer.outcome()).isEqualTo(Outcome.FAILED_TRANSIENT);
        assertThat(answer.error()).contains("Connection refused");
        lane.close();
    }

    @Test
    void shouldAnswerEveryCallToAUrlItCannotUseAndKeepNoneInFlight() throws Exception {
        ParticipantLane lane = lane("http://127.0.0.1:notaport/x", Duration.ofSeconds(5), 1);

        var first = lane.submit(request("tx-bad-url-1", "one", Phase.ACTION, deadlineIn(5_000)));
        var second = lane.submit(request("tx-bad-url-2", "one", Phase.ACTION, deadlineIn(5_000)));

        assertThat(first.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.FAILED_TRANSIENT);
        assertThat(second.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.FAILED_TRANSIENT);
        assertThat(first.get().error()).as(first.get().error() + " | " + second.get().error()).contains("before the request was sent").contains("Exception");
        assertThat(lane.inFlight()).isZero();
        lane.close();
    }

    @Test
    void shouldReportAConnectTimeoutAsTransientSinceNothingWasSent() throws Exception {
        // A listening socket whose accept queue is full drops new connection attempts, so connecting times out.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> filling = new ArrayList<>();
            try {
                boolean dropped = false;
                for (int i = 0; i < 64 && !dropped; i++) {
                    Socket s = new Socket();
                    filling.add(s);
                    try {
                        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), full.getLocalPort()), 300);
                    } catch (SocketTimeoutException e) {
                        dropped = true;
                    }
                }
                assertThat(dropped).as("the accept queue filled up, so connections hang").isTrue();
                ParticipantLane lane = lane("http://127.0.0.1:" + full.getLocalPort() + "/hangs", Duration.ofMillis(800), 4);

                Answer answer = call(lane, request("tx-connect-timeout", "one", Phase.ACTION, deadlineIn(5_000)));

                assertThat(answer.outcome()).isEqualTo(Outcome.FAILED_TRANSIENT);
                assertThat(answer.error()).contains("before the request was sent");
                lane.close();
            } finally {
                for (Socket s : filling) {
                    s.close();
                }
            }
        }
    }

    @Test
    void shouldReportNoAnswerAfterTheRequestWasSentAsUnknown() throws Exception {
        behaviours.put("/silent", (req, call) -> { }); // reads the request, never answers
        ParticipantLane lane = lane("/silent", Duration.ofMillis(500), 4);

        Answer answer = call(lane, request("tx-silent", "one", Phase.ACTION, deadlineIn(5_000)));

        assertThat(answer.outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(answer.error()).contains("no answer").contains("500 ms");
        assertThat(received).contains("/silent action tx-silent one");
        lane.close();
    }

    @Test
    void shouldReportAConnectionResetAfterTheRequestWasSentAsUnknown() throws Exception {
        try (ServerSocket resetting = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try (Socket s = resetting.accept()) {
                    InputStream in = s.getInputStream();
                    in.read(new byte[8192]); // the request arrived
                    s.setSoLinger(true, 0); // close with RST
                } catch (Exception e) {
                    // the test's assertions say what went wrong
                }
            });
            acceptor.start();
            ParticipantLane lane = lane("http://127.0.0.1:" + resetting.getLocalPort() + "/resets", Duration.ofSeconds(5), 4);

            Answer answer = call(lane, request("tx-reset", "one", Phase.ACTION, deadlineIn(5_000)));

            assertThat(answer.outcome()).isEqualTo(Outcome.UNKNOWN);
            assertThat(answer.error()).contains("was sent");
            acceptor.join(5_000);
            lane.close();
        }
    }

    @Test
    void shouldNeverWaitLongerThanTheTimeLeftToTheDeadline() throws Exception {
        behaviours.put("/slow-deadline", (req, call) -> { });
        ParticipantLane lane = lane("/slow-deadline", Duration.ofSeconds(30), 4);

        long started = System.nanoTime();
        Answer answer = call(lane, request("tx-slow-deadline", "one", Phase.ACTION, deadlineIn(400)));

        assertThat(answer.outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        lane.close();
    }

    // ---- deadlines and order ------------------------------------------------------------------------------

    @Test
    void shouldNotSendARequestWhoseDeadlineHasPassed() throws Exception {
        ParticipantLane lane = lane("/expired", Duration.ofSeconds(5), 4);

        Answer passed = call(lane, request("tx-expired", "one", Phase.ACTION, System.currentTimeMillis() - 1));
        Answer tooClose = call(lane, request("tx-expired", "two", Phase.ACTION,
                deadlineIn(ParticipantLane.MIN_TIME_LEFT_MILLIS / 2)));

        assertThat(passed.outcome()).isEqualTo(Outcome.EXPIRED);
        assertThat(passed.error()).contains("not sent").contains("had passed");
        assertThat(tooClose.outcome()).isEqualTo(Outcome.EXPIRED);
        assertThat(tooClose.error()).contains("not sent").contains("too close");
        assertThat(received).noneMatch(r -> r.startsWith("/expired "));
        lane.close();
    }

    @Test
    void shouldCheckTheDeadlineWhenTheRequestLeavesTheQueueNotWhenItEnters() throws Exception {
        behaviours.put("/busy", (req, call) -> vertx.setTimer(800, id -> req.response().end("{}")));
        ParticipantLane lane = lane("/busy", Duration.ofSeconds(5), 1);

        var first = lane.submit(request("tx-busy-1", "one", Phase.ACTION, deadlineIn(5_000)));
        var second = lane.submit(request("tx-busy-2", "one", Phase.ACTION, deadlineIn(300)));

        assertThat(second.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.EXPIRED);
        assertThat(first.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(received).contains("/busy action tx-busy-1 one").doesNotContain("/busy action tx-busy-2 one");
        lane.close();
    }

    @Test
    void shouldHoldACompensationUntilTheActionOfItsStepHasEnded() throws Exception {
        List<String> order = new CopyOnWriteArrayList<>();
        behaviours.put("/overlap", (req, call) -> {
            String what = call.replaceFirst(" ", ":");
            order.add("received " + what);
            if (what.contains("action tx-overlap one")) {
                vertx.setTimer(700, id -> {
                    order.add("answered " + what);
                    req.response().end("{}");
                });
            } else {
                req.response().end("{}");
            }
        });
        ParticipantLane lane = lane("/overlap", Duration.ofSeconds(5), 4);

        var action = lane.submit(request("tx-overlap", "one", Phase.ACTION, deadlineIn(5_000)));
        awaitReceived("/overlap action tx-overlap one");
        var compensation = lane.submit(request("tx-overlap", "one", Phase.COMPENSATION, deadlineIn(5_000)));
        var otherStep = lane.submit(request("tx-overlap", "two", Phase.COMPENSATION, deadlineIn(5_000)));
        var actionAnswered = action.thenApply(a -> {
            order.add("action answer handed on");
            return a;
        });

        assertThat(otherStep.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(compensation.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(actionAnswered.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(order).as("another step's compensation is not held; this step's waits for its action")
                .containsExactly("received /overlap:action tx-overlap one",
                        "received /overlap:compensation tx-overlap two",
                        "answered /overlap:action tx-overlap one",
                        "action answer handed on",
                        "received /overlap:compensation tx-overlap one");
        lane.close();
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static ParticipantLane lane(String pathOrUrl, Duration timeout, int maxConcurrency) {
        String url = pathOrUrl.startsWith("http") ? pathOrUrl : "http://127.0.0.1:" + port + pathOrUrl;
        return new ParticipantLane(vertx.getOrCreateContext(), client, new ParticipantInfo("lane-test",
                ParticipantInfo.Transport.HTTP, url, timeout, maxConcurrency, null), TOKENS, "http://127.0.0.1:1/cb",
                io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry.ofDefaults());
    }

    private static Answer call(ParticipantLane lane, StepRequest request) throws Exception {
        return lane.submit(request).get(20, TimeUnit.SECONDS);
    }

    private static long deadlineIn(long millis) {
        return System.currentTimeMillis() + millis;
    }

    private static StepRequest request(String txId, String step, Phase phase, long deadlineMillis) {
        return StepRequest.newBuilder().setTxId(txId).setDefinition("d").setStep(step).setParticipant("lane-test")
                .setPhase(phase).setHandler(phase == Phase.ACTION ? "reserve" : "cancel").setAttempt(1)
                .setIdempotencyKey(txId + ":" + step + ":" + phase.name().toLowerCase())
                .setInput("{}").setContext("{}").setDeadlineMillis(deadlineMillis).build();
    }

    private static void awaitReceived(String what) throws InterruptedException {
        org.awaitility.Awaitility.await("received " + what).atMost(java.time.Duration.ofSeconds(10))
                .pollInterval(java.time.Duration.ofMillis(10)).until(() -> received.contains(what));
    }
}
