package io.sagalog.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The cheapest durable HTTP submit on this stack: a Vert.x endpoint {@code POST /append} that appends the body to
 * a Kafka topic (idempotent producer, {@code acks=all}, {@code linger.ms=1}) and answers 202 once the broker has
 * acknowledged, driven over keep-alive connections by a Vert.x {@code WebClient}. Sagalog's submit does this and
 * more (validation, the control log, the engine), so this bounds ingest's request rate and latency from below on
 * the same machine, and separates HTTP and Kafka round-trip costs from the engine's.
 *
 * <p>The event loop never waits: the producer's {@code max.block.ms} is 0, so {@code send} either hands the record
 * over at once or fails (answered 503, counted as a failure), and the topic's metadata is fetched before the
 * server starts so the first sends do not fail for lack of it. With a closed loop at most {@code concurrency}
 * bodies are buffered, far below the producer's 32 MB buffer. The acknowledgement arrives on the producer's I/O
 * thread and the response is written back on the request's own context.
 */
public final class VertxAppendBaseline {
    static final int PARTITIONS = 6;

    private VertxAppendBaseline() {
    }

    /** The result and the driver's full run, for plots and the uncorrected histogram. */
    public record Detailed(BaselineResult result, LoadDriver.Run run) {}

    /** Closed loop: {@code concurrency} clients, each posting again when answered; reports req/s and latency. */
    public static BaselineResult run(String bootstrapServers, int concurrency, int bodyBytes, Duration warmup,
                                     Duration measure, ProgressListener progress) throws InterruptedException {
        return runDetailed(bootstrapServers, concurrency, bodyBytes, warmup, measure, progress).result();
    }

    /** {@link #run} with the driver's run as well. */
    public static Detailed runDetailed(String bootstrapServers, int concurrency, int bodyBytes, Duration warmup,
                                       Duration measure, ProgressListener progress) throws InterruptedException {
        return measure(bootstrapServers, concurrency, bodyBytes, "closed loop, " + concurrency + " clients",
                op -> LoadDriver.closedLoop(concurrency, warmup, measure, op, progress));
    }

    /**
     * Open loop at a fixed rate, latency corrected for coordinated omission: what ingest's latency would be at that
     * load if it did nothing but the append. The client pool has {@code maxConnections} connections.
     */
    public static Detailed runOpenLoop(String bootstrapServers, double ratePerSecond, int maxConnections,
                                       int bodyBytes, Duration warmup, Duration measure, ProgressListener progress)
            throws InterruptedException {
        return measure(bootstrapServers, maxConnections, bodyBytes,
                String.format(Locale.ROOT, "open loop at %.0f req/s, %d connections", ratePerSecond, maxConnections),
                op -> LoadDriver.openLoop(ratePerSecond, warmup, measure, op, progress));
    }

    /** How a load is put on the endpoint, given the operation that posts one body. */
    private interface Drive {
        LoadDriver.Run run(Function<Long, CompletionStage<?>> op) throws InterruptedException;
    }

    private static Detailed measure(String bootstrapServers, int connections, int bodyBytes, String load,
                                    Drive drive) throws InterruptedException {
        String topic = "bench-baseline-append-" + BaselineSupport.uniqueSuffix();
        try (Admin admin = BaselineSupport.admin(bootstrapServers)) {
            BaselineSupport.createTopics(admin, bootstrapServers, List.of(topic), PARTITIONS);
            Vertx serverVertx = Vertx.vertx();
            Vertx clientVertx = Vertx.vertx();
            Properties props = ProducerBaseline.durableProducer(bootstrapServers, "bench-baseline-append", 1);
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                awaitMetadata(producer, topic);
                HttpServer server = serverVertx.createHttpServer()
                        .requestHandler(req -> handle(req, producer, topic))
                        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                WebClient client = WebClient.create(clientVertx, new WebClientOptions().setKeepAlive(true)
                                .setDefaultHost("127.0.0.1").setDefaultPort(server.actualPort()),
                        new PoolOptions().setHttp1MaxSize(connections));
                Buffer body = Buffer.buffer(BaselineSupport.payload(bodyBytes));
                LoadDriver.Run run = drive.run(seq -> client.post("/append").sendBuffer(body).map(resp -> {
                    if (resp.statusCode() != 202) {
                        throw new IllegalStateException("HTTP " + resp.statusCode());
                    }
                    return resp;
                }).toCompletionStage());
                client.close();
                server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                producer.close(Duration.ofSeconds(10));
                String notes = String.format(Locale.ROOT, "%s, %d B bodies, keep-alive; idempotent producer, "
                        + "acks=all, linger.ms=1, %d partitions, one HTTP server (one event loop); 202 after the "
                        + "ack; %d completed, %d failed, %d incomplete over %.1f s", load, bodyBytes, PARTITIONS,
                        run.completed(), run.failed(), run.incomplete(), run.measuredSeconds())
                        + (run.failureSamples().isEmpty() ? "" : "; failures: " + run.failureSamples());
                BaselineResult result = new BaselineResult("vertx append " + bodyBytes + " B", run.throughputPerSecond(),
                        "req/s", run.correctedMs(50), run.correctedMs(99),
                        run.throughputPerSecond() * bodyBytes / 1e6, notes);
                return new Detailed(result, run);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("cannot run the Vert.x append baseline: " + e, e);
            } finally {
                closeQuietly(clientVertx);
                closeQuietly(serverVertx);
                BaselineSupport.deleteTopics(admin, List.of(topic));
            }
        }
    }

    private static void handle(HttpServerRequest req, KafkaProducer<byte[], byte[]> producer, String topic) {
        if (req.method() != HttpMethod.POST || !"/append".equals(req.path())) {
            req.response().setStatusCode(404).end();
            return;
        }
        Context context = Vertx.currentContext();
        req.body().onComplete(ar -> {
            if (ar.failed()) {
                req.response().setStatusCode(400).end();
                return;
            }
            byte[] key = BaselineSupport.longKey(ThreadLocalRandom.current().nextLong());
            try {
                producer.send(new ProducerRecord<>(topic, key, ar.result().getBytes()), (meta, error) ->
                        context.runOnContext(v -> req.response().setStatusCode(error == null ? 202 : 503).end()));
            } catch (RuntimeException e) { // max.block.ms=0: no metadata or no buffer space right now
                req.response().setStatusCode(503).end();
            }
        });
    }

    /** With {@code max.block.ms=0} each lookup fails at once until the producer's I/O thread has the metadata. */
    private static void awaitMetadata(KafkaProducer<byte[], byte[]> producer, String topic)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                if (!producer.partitionsFor(topic).isEmpty()) {
                    return;
                }
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // not yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no metadata for " + topic + " within 30 s");
            }
            Thread.sleep(20);
        }
    }

    private static void closeQuietly(Vertx vertx) {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // best effort
        }
    }
}
