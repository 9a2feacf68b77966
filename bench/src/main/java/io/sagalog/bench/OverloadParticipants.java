package io.sagalog.bench;

import io.sagalog.compensators.Participant;
import io.sagalog.compensators.ParticipantWorker;
import io.sagalog.engine.Definition;
import io.sagalog.engine.DefinitionParser;
import io.sagalog.engine.InvalidDefinitionException;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The participants of one {@code bench-overload} run and the definition that uses them: three compensatable steps
 * with 3 s timeouts. {@code java}: three Java SDK workers that do nothing, so the engine is what saturates.
 * {@code http}: one HTTP participant for all three steps, 16 calls at a time, each answered after a fixed service
 * time, so the participant is what saturates (the shape of the reported failure: 16 concurrent calls, a 2 s call
 * timeout, three steps with 3 s timeouts). Both count the actions they receive, to show whether retries multiplied
 * the load.
 */
final class OverloadParticipants implements AutoCloseable {
    enum Kind { java, http }

    static final int HTTP_CONCURRENCY = 16;
    static final String STEP_TIMEOUT = "3s";

    final Kind kind;
    final String definitionName;
    final AtomicLong actions = new AtomicLong();
    private final List<String> participantNames;
    private final List<ParticipantWorker> workers = new ArrayList<>();
    private Vertx vertx;
    private HttpServer server;

    OverloadParticipants(Kind kind, String run) {
        this.kind = kind;
        this.definitionName = "overload-" + kind + "-" + run;
        this.participantNames = kind == Kind.java
                ? List.of(definitionName + "-p1", definitionName + "-p2", definitionName + "-p3")
                : List.of(definitionName + "-http", definitionName + "-http", definitionName + "-http");
    }

    Definition definition() {
        StringBuilder json = new StringBuilder("{\"name\":\"").append(definitionName).append("\",\"steps\":[");
        for (int i = 0; i < 3; i++) {
            json.append(i > 0 ? "," : "").append("{\"name\":\"step").append(i + 1).append("\",\"participant\":\"")
                    .append(participantNames.get(i)).append("\",\"action\":\"do\",\"compensation\":\"undo\",")
                    .append("\"timeout\":\"").append(STEP_TIMEOUT).append("\"}");
        }
        try {
            return DefinitionParser.parse(json.append("]}").toString(), 1);
        } catch (InvalidDefinitionException e) {
            throw new IllegalStateException(e);
        }
    }

    String body(long seq) {
        return "{\"definition\":\"" + definitionName + "\",\"input\":{\"seq\":" + seq + "}}";
    }

    /** Starts the Java workers, or the HTTP participant (registering it through the node's API). */
    void start(String bootstrap, OverloadLoad api, int serviceMillis) throws Exception {
        if (kind == Kind.java) {
            for (String name : List.copyOf(new java.util.LinkedHashSet<>(participantNames))) {
                Participant p = Participant.named(name).action("do", call -> {
                    actions.incrementAndGet();
                    return Map.of();
                }).compensation("undo", call -> { }).build();
                workers.add(ParticipantWorker.start(p, bootstrap, Map.of(
                        "consumer.client.id", "sagalog-participant-" + name + "-consumer",
                        "producer.client.id", "sagalog-participant-" + name + "-producer")));
            }
            return;
        }
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        CompletableFuture<Void> named = new CompletableFuture<>();
        vertx.runOnContext(v -> { // so ComponentCpu files its CPU under participants
            Thread.currentThread().setName("sagalog-participant-http-eventloop");
            named.complete(null);
        });
        named.get(10, TimeUnit.SECONDS);
        server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            if (body.toString().contains("\"phase\":\"action\"")) {
                actions.incrementAndGet();
            }
            vertx.setTimer(Math.max(1, serviceMillis), id -> request.response()
                    .putHeader("Content-Type", "application/json").end("{}"));
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        int status = api.put("/v1/participants/" + participantNames.get(0), "{\"transport\":\"http\",\"url\":"
                + "\"http://127.0.0.1:" + server.actualPort() + "/call\",\"timeout\":\"2s\",\"maxConcurrency\":"
                + HTTP_CONCURRENCY + "}");
        if (status != 200) {
            throw new IllegalStateException("registering the HTTP participant answered " + status);
        }
    }

    @Override
    public void close() throws Exception {
        workers.forEach(ParticipantWorker::close);
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
