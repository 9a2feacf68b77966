package io.sagalog.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.sagalog.client.Action;
import io.sagalog.client.ActionAccepted;
import io.sagalog.client.ActionRequest;
import io.sagalog.client.ForbiddenException;
import io.sagalog.client.HistoryEntry;
import io.sagalog.client.ListQuery;
import io.sagalog.client.OverloadedException;
import io.sagalog.client.ProblemException;
import io.sagalog.client.SagalogClient;
import io.sagalog.client.StaleTransactionException;
import io.sagalog.client.Submission;
import io.sagalog.client.Transaction;
import io.sagalog.client.TransactionPage;
import io.sagalog.client.TransactionStatus;
import io.sagalog.client.TransactionSummary;
import io.sagalog.client.UnauthorizedException;
import io.sagalog.compensators.ParticipantWorker;
import io.sagalog.engine.DefinitionCatalog;
import io.sagalog.engine.EngineConfig;
import io.sagalog.http.auth.Tokens;
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
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Java client (module {@code client}) against a real node on a real broker, as an application and an operator use
 * it: submits deduplicated by their idempotency key, waits, lists, an operator action on a parked transaction with an
 * outdated and then a current view, and the typed errors of a bad token and a missing role.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JavaClientIntegrationTest {
    private static final String VIEWER = "viewer-token-client-it-0123";
    private static final String OPERATOR = "operator-token-client-it-0123";
    private static final String SUBMITTER = "submitter-token-client-it-0123";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String definition = "client-it-" + suffix;
    private final AtomicBoolean mailDown = new AtomicBoolean(false);
    private final List<ParticipantWorker> workers = new ArrayList<>();
    private SagalogNode node;
    private SagalogClient submitter;
    private SagalogClient operator;

    @BeforeAll
    void start() throws Exception {
        String bootstrap = KafkaFixture.bootstrapServers();
        Tokens tokens = Tokens.parse(List.of(VIEWER + " viewer", OPERATOR + " operator,viewer", SUBMITTER + " submitter"),
                "test");
        EngineConfig engine = EngineConfig.defaults(bootstrap, Files.createTempDirectory("sagalog-client-it"))
                .withApplicationId("it-client-" + suffix)
                .withOverrides(Map.of(StreamsConfig.mainConsumerPrefix("auto.offset.reset"), "latest"));
        node = SagalogNode.start(new SagalogNode.Options(engine, "127.0.0.1", 0, 3, DefinitionCatalog.of(List.of()), tokens));
        workers.addAll(ParkingTrip.participants(suffix, bootstrap, mailDown));
        // Registering is plain HTTP: the client is for applications and operators, not for deployments.
        HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(base() + "/v1/definitions/" + definition)).header("Authorization", "Bearer " + OPERATOR)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"steps\": " + ParkingTrip.steps(suffix) + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        submitter = client(SUBMITTER);
        operator = client(OPERATOR);
    }

    private String base() {
        return "http://127.0.0.1:" + node.port();
    }

    private SagalogClient client(String token) {
        return SagalogClient.builder(URI.create(base())).token(token).requestTimeout(Duration.ofSeconds(30)).build();
    }

    @AfterAll
    void stop() {
        workers.forEach(ParticipantWorker::close);
        if (node != null) {
            node.close();
        }
    }

    @Test
    void submitsWaitsListsAndActsThroughTheClient() {
        // The same key and input twice: one transaction. (Retrying 503s with that key is what makes that safe.)
        String key = "order-" + suffix;
        Submission first = submitter.submitRetryingOverload(definition, Map.of("order", 1), key, PATIENCE);
        Submission again = submitter.submitRetryingOverload(definition, "{\"order\": 1}", key, PATIENCE);
        assertThat(again.txId()).isEqualTo(first.txId());
        assertThat(first.idempotencyKey()).isEqualTo(key);
        Transaction completed = submitter.await(first.txId(), PATIENCE);
        assertThat(completed.status()).isEqualTo(TransactionStatus.COMPLETED);
        assertThat(completed.context().path("charge").path("charge").asText()).isEqualTo("ch_1");
        assertThat(completed.history()).extracting(HistoryEntry::type).containsOnlyOnce("TxStarted");
        // The same key with another input is refused, typed by its problem.
        ProblemException reused = catchThrowableOfType(ProblemException.class,
                () -> submitter.submit(definition, Map.of("order", 2), key));
        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.problem().slug()).isEqualTo("idempotency-key-reused");

        // The mail server is down: notify uses its attempts and the transaction parks; POST ?wait answers then.
        mailDown.set(true);
        String parkedKey = "order-parked-" + suffix;
        Transaction parked = Awaitility.await().atMost(PATIENCE).ignoreException(OverloadedException.class)
                .until(() -> submitter.submitAndWait(definition, Map.of("order", 3), parkedKey, PATIENCE), Transaction::isSettled);
        assertThat(parked.status()).isEqualTo(TransactionStatus.PARKED);
        assertThat(parked.reason()).isNotBlank();

        // Lists: by definition both, by status only the parked one; a submitter may not list.
        TransactionPage mine = operator.list(ListQuery.all().withDefinition(definition).withLimit(10));
        // Newest first (the class's other tests may have added completed ones of this definition before or after).
        assertThat(mine.items()).extracting(TransactionSummary::txId).containsSubsequence(parked.txId(), first.txId())
                .hasSizeLessThanOrEqualTo(4);
        assertThat(mine.hasMore()).isFalse();
        assertThat(operator.list(ListQuery.all().withDefinition(definition).withStatus(TransactionStatus.PARKED)).items())
                .extracting(TransactionSummary::txId).containsExactly(parked.txId());
        assertThat(catchThrowableOfType(ForbiddenException.class, () -> submitter.list(ListQuery.all())).status())
                .isEqualTo(403);

        // An operator who decided on an older view is refused, and nothing is recorded.
        long seen = parked.lastSeq().orElseThrow();
        StaleTransactionException stale = catchThrowableOfType(StaleTransactionException.class, () -> operator.act(
                parked.txId(), ActionRequest.of(Action.RESUME, "decided on an old screen").expectedSeq(seen - 1)));
        assertThat(stale.currentSeq()).hasValue(seen);
        assertThat(stale.expectedSeq()).hasValue(seen - 1);
        assertThat(operator.get(parked.txId()).lastSeq()).hasValue(seen);

        // With the current view the action is taken, and the transaction completes.
        mailDown.set(false);
        ActionAccepted resumed = operator.act(parked.txId(), ActionRequest.of(Action.RESUME, "mail server is back")
                .expectedSeq(seen));
        assertThat(resumed.status()).isEqualTo("accepted");
        // Waits for what the action led to, past the PARKED state it acted on.
        Transaction done = operator.await(parked.txId(), seen, PATIENCE);
        assertThat(done.status()).isEqualTo(TransactionStatus.COMPLETED);
        assertThat(done.history()).filteredOn(e -> e.type().equals("OperatorActed")).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("mail server is back"));
    }

    @Test
    void theExampleProgramBooksATripWithTheClientAndJacksonOnly() throws Exception {
        mailDown.set(false);
        Path example = Path.of("").toAbsolutePath();
        while (!Files.exists(example.resolve("examples/java-client/TripBooking.java"))) {
            example = example.getParent();
        }
        // Its classpath is what the client needs: the client's classes and jackson-databind, -core, -annotations.
        String classpath = Stream.of(SagalogClient.class, com.fasterxml.jackson.databind.ObjectMapper.class,
                        com.fasterxml.jackson.core.JsonParser.class, com.fasterxml.jackson.annotation.JsonIgnoreProperties.class)
                .map(c -> Path.of(uri(c)).toString()).distinct().collect(Collectors.joining(java.io.File.pathSeparator));
        Process run = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                classpath, example.resolve("examples/java-client/TripBooking.java").toString(), base(), SUBMITTER, definition)
                .redirectErrorStream(true).start();
        byte[] output = run.getInputStream().readAllBytes(); // until it exits
        assertThat(run.waitFor(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        String printed = new String(output, java.nio.charset.StandardCharsets.UTF_8);
        assertThat(run.exitValue()).as(printed).isZero();
        assertThat(printed).contains(" COMPLETED", "  notify SUCCEEDED {\"sent\":true}",
                "the same order id with another trip: 422 idempotency-key-reused");
    }

    private static URI uri(Class<?> c) {
        try {
            return c.getProtectionDomain().getCodeSource().getLocation().toURI();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aBadTokenIsATypedUnauthorizedError() {
        SagalogClient stranger = client("not-a-token-of-this-node");

        UnauthorizedException e = catchThrowableOfType(UnauthorizedException.class,
                () -> stranger.submit(definition, Map.of(), "k-" + suffix));

        assertThat(e.status()).isEqualTo(401);
        assertThat(e.problem().slug()).isEqualTo("unauthorized");
        assertThat(e.problem().detail()).isNotBlank();
        // Positive control: the same call with a known token is accepted.
        assertThat(submitter.submitRetryingOverload(definition, Map.of(), "k-" + suffix, PATIENCE).txId()).isNotBlank();
    }
}
