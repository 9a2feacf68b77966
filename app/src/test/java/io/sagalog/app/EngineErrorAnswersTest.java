package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.console.QueryApi;
import io.sagalog.engine.TransactionPage;
import io.sagalog.engine.TransactionQueries;
import io.sagalog.engine.TransactionView;
import io.sagalog.engine.TxStatus;
import io.sagalog.http.ControlLog;
import io.sagalog.schemas.avro.ControlRecord;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reads while Kafka Streams is in ERROR (its store queries throw IllegalStateException "KafkaStreams is not running")
 * answer 503 with Retry-After, as problem+json; before, they answered 500.
 */
class EngineErrorAnswersTest {
    private static final String NOT_RUNNING = "KafkaStreams is not running. State is ERROR.";
    private Vertx vertx;
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        new QueryApi(vertx, new BrokenQueries(), new NoControlLog(), Clock.systemUTC()).mount(router);
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/transactions/0190f3a4-0000-7000-8000-000000000001", "/v1/transactions?status=PARKED",
            "/v1/transactions/counts"})
    void shouldAnswer503WithRetryAfterWhileTheEngineIsInError(String path) throws Exception {
        HttpResponse<String> r = new HttpTestClient(server.actualPort()).get(path);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(r.body()).contains("ERROR");
    }

    /** Store queries as Kafka Streams answers them in state ERROR. */
    private final class BrokenQueries implements TransactionQueries {
        @Override
        public Optional<TransactionView> find(String txId) {
            throw new IllegalStateException(NOT_RUNNING);
        }

        @Override
        public TransactionPage list(TxStatus status, String definition, String after, Instant createdBefore, int limit) {
            throw new IllegalStateException(NOT_RUNNING);
        }

        @Override
        public List<TransactionPage.Count> counts() {
            throw new IllegalStateException(NOT_RUNNING);
        }

        @Override
        public Optional<Endpoint> ownerOf(String txId) {
            return Optional.empty();
        }

        @Override
        public List<Endpoint> instances() {
            return List.of(self());
        }

        @Override
        public Endpoint self() {
            return new Endpoint("127.0.0.1", server == null ? 0 : server.actualPort());
        }
    }

    private static final class NoControlLog implements ControlLog {
        @Override
        public CompletionStage<Void> append(ControlRecord record) {
            return CompletableFuture.failedFuture(new IllegalStateException("not used"));
        }

        @Override
        public void close() {}
    }
}
