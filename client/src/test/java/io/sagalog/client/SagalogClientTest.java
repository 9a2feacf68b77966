package io.sagalog.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the client sends and how it reads the server's answers, against canned answers of the server's shapes. */
class SagalogClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TX = "0193a1f2-7c4e-7d2a-9b1e-3f5a6c7d8e9f";
    /** An answer of GET /v1/transactions/{txId} as the server renders it, plus members this client does not know. */
    private static final String TRANSACTION = """
            {"txId":"%s","definition":"trip","definitionVersion":2,"status":"ROLLED_BACK",
             "reason":"payments was rejected","input":{"traveller":"Ada"},"context":{"flights":{"seat":"12A"}},
             "steps":[{"name":"flights","status":"COMPENSATED","attempt":1,"kind":"compensatable",
                       "participant":"flights","compensationAttempt":1,"output":{"seat":"12A"}},
                      {"name":"payments","status":"FAILED","attempt":1,"kind":"pivot","participant":"payments",
                       "error":"HTTP 409: no funds","aNewStepMember":true}],
             "compensationPlan":[],"rollbackPlan":[],"createdAt":"2026-12-03T10:00:00.125Z",
             "updatedAt":"2026-12-03T10:00:01Z","held":false,"expiresAt":null,
             "history":[{"seq":0,"type":"TxStarted","at":"2026-12-03T10:00:00.125Z","status":"RUNNING",
                         "detail":{"definition":"trip","definitionVersion":2}},
                        {"seq":6,"type":"RecoveryDecided","at":"2026-12-03T10:00:00.500Z","status":"COMPENSATING",
                         "reason":"undoing","detail":{"rule":"permanent-failure-before-pivot"}},
                        {"seq":9,"type":"SomethingNew","at":"2026-12-03T10:00:01Z","status":"ARCHIVING","step":"x",
                         "attempt":2}],
             "links":{"self":"/v1/transactions/%s"},"traceId":"a member added later"}""".formatted(TX, TX);

    private final CannedServer server = startServer();
    private final SagalogClient client = SagalogClient.builder(server.uri()).token("t0k3n").build();

    private static CannedServer startServer() {
        try {
            return new CannedServer();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void readsEveryMemberOfATransactionAndIgnoresUnknownOnes() {
        server.json(200, TRANSACTION);

        Transaction tx = client.get(TX);

        assertThat(tx.txId()).isEqualTo(TX);
        assertThat(tx.definitionVersion()).isEqualTo(2);
        assertThat(tx.status()).isEqualTo(TransactionStatus.ROLLED_BACK);
        assertThat(tx.isSettled()).isTrue();
        assertThat(tx.input().path("traveller").asText()).isEqualTo("Ada");
        assertThat(tx.context().path("flights").path("seat").asText()).isEqualTo("12A");
        assertThat(tx.step("payments")).get().satisfies(s -> {
            assertThat(s.kind()).isEqualTo("pivot");
            assertThat(s.error()).isEqualTo("HTTP 409: no funds");
            assertThat(s.output()).isNull();
        });
        assertThat(tx.step("flights").orElseThrow().compensationAttempt()).isEqualTo(1);
        assertThat(tx.createdAt()).isEqualTo(Instant.parse("2026-12-03T10:00:00.125Z"));
        assertThat(tx.expiresAt()).isNull();
        assertThat(tx.history()).extracting(HistoryEntry::type).containsExactly("TxStarted", "RecoveryDecided", "SomethingNew");
        assertThat(tx.history().get(1).detail().path("rule").asText()).isEqualTo("permanent-failure-before-pivot");
        // A status added to the server later does not break reading the rest.
        assertThat(tx.history().get(2).status()).isEqualTo(TransactionStatus.UNKNOWN);
        assertThat(tx.lastSeq()).hasValue(9);

        CannedServer.Received get = server.received.get(0);
        assertThat(get.method()).isEqualTo("GET");
        assertThat(get.uri().getPath()).isEqualTo("/v1/transactions/" + TX);
        assertThat(get.header("Authorization")).isEqualTo("Bearer t0k3n");
    }

    @Test
    void submitSendsDefinitionInputAndIdempotencyKey() throws Exception {
        server.json(202, "{\"txId\":\"" + TX + "\",\"status\":\"PENDING\",\"links\":{\"self\":\"/v1/transactions/" + TX + "\"}}",
                Map.of("Idempotency-Key", "order-1"));

        Submission s = client.submit("trip", Map.of("traveller", "Ada", "nights", 3), "order-1");

        assertThat(s).isEqualTo(new Submission(TX, TransactionStatus.PENDING, "order-1"));
        CannedServer.Received post = server.received.get(0);
        assertThat(post.method()).isEqualTo("POST");
        assertThat(post.uri().toString()).isEqualTo("/v1/transactions");
        assertThat(post.header("Idempotency-Key")).isEqualTo("order-1");
        assertThat(post.header("Content-Type")).isEqualTo("application/json");
        assertThat(JSON.readTree(post.body())).isEqualTo(JSON.readTree(
                "{\"definition\":\"trip\",\"input\":{\"traveller\":\"Ada\",\"nights\":3}}"));
    }

    @Test
    void submitWithoutKeyReportsTheKeyTheServerMadeAndRefusesAnInputThatIsNoObject() {
        server.json(202, "{\"txId\":\"" + TX + "\",\"status\":\"PENDING\"}", Map.of("Idempotency-Key", "sagalog:" + TX));

        assertThat(client.submit("trip", "{\"a\":1}", null).idempotencyKey()).isEqualTo("sagalog:" + TX);
        assertThat(server.received.get(0).header("Idempotency-Key")).isNull();
        assertThatThrownBy(() -> client.submit("trip", "[1,2]", "k")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be a JSON object");
        assertThat(server.received).hasSize(1);
    }

    @Test
    void problemsBecomeTypedExceptionsWithEveryMember() {
        server.problem(422, """
                {"type":"https://sagalog.io/problems/invalid-definition","title":"The definition breaks 2 rules",
                 "status":422,"detail":"a; b","instance":"/v1/transactions","errors":["a","b"]}""", Map.of());
        ProblemException invalid = catchThrowableOfType(ProblemException.class, () -> client.submit("trip", Map.of(), "k"));
        assertThat(invalid.getClass()).isEqualTo(ProblemException.class);
        assertThat(invalid.problem()).isEqualTo(new Problem("https://sagalog.io/problems/invalid-definition",
                "The definition breaks 2 rules", 422, "a; b", "/v1/transactions", java.util.List.of("a", "b"), Map.of()));
        assertThat(invalid.problem().slug()).isEqualTo("invalid-definition");
        assertThat(invalid.retryAfter()).isEmpty();

        server.problem(401, "{\"type\":\"https://sagalog.io/problems/unauthorized\",\"title\":\"A valid bearer token is "
                + "needed\",\"status\":401,\"detail\":\"the token is not known\"}", Map.of("WWW-Authenticate", "Bearer"));
        assertThatThrownBy(() -> client.get(TX)).isInstanceOf(UnauthorizedException.class)
                .hasMessage("401 unauthorized: the token is not known");

        server.problem(409, "{\"type\":\"https://sagalog.io/problems/stale-transaction\",\"title\":\"moved on\","
                + "\"status\":409,\"detail\":\"reload it\",\"currentSeq\":12,\"expectedSeq\":7}", Map.of());
        StaleTransactionException stale = catchThrowableOfType(StaleTransactionException.class,
                () -> client.act(TX, ActionRequest.of(Action.RESUME, "back").expectedSeq(7)));
        assertThat(stale).isInstanceOf(ConflictException.class);
        assertThat(stale.currentSeq()).hasValue(12);
        assertThat(stale.expectedSeq()).hasValue(7);

        server.problem(409, "{\"type\":\"https://sagalog.io/problems/action-refused\",\"title\":\"no\",\"status\":409,"
                + "\"detail\":\"it is COMPLETED\"}", Map.of());
        assertThatThrownBy(() -> client.act(TX, ActionRequest.of(Action.RETRY, "again")))
                .isExactlyInstanceOf(ConflictException.class).hasMessageContaining("it is COMPLETED");

        server.problem(503, "{\"type\":\"https://sagalog.io/problems/overloaded\",\"title\":\"Too busy, retry later\","
                + "\"status\":503,\"detail\":\"deliveries wait 1.2 s\"}", Map.of("Retry-After", "5"));
        OverloadedException busy = catchThrowableOfType(OverloadedException.class, () -> client.submit("trip", Map.of(), "k"));
        assertThat(busy.retryAfter()).hasValue(Duration.ofSeconds(5));
        assertThat(busy.isRetryableSubmit()).isTrue();

        server.problem(410, "{\"type\":\"https://sagalog.io/problems/transaction-expired\",\"title\":\"expired\","
                + "\"status\":410,\"detail\":\"archived\",\"archived\":true,\"status2\":\"COMPLETED\"}", Map.of());
        NotFoundException gone = catchThrowableOfType(NotFoundException.class, () -> client.get(TX));
        assertThat(gone.problem().extensions()).containsOnlyKeys("archived", "status2");
    }

    @Test
    void anAnswerThatIsNotProblemJsonStillBecomesAProblemException() {
        server.text(502, "<html>Bad Gateway</html>");

        ProblemException e = catchThrowableOfType(ProblemException.class, () -> client.get(TX));

        assertThat(e.status()).isEqualTo(502);
        assertThat(e.problem().type()).isEqualTo("about:blank");
        assertThat(e.problem().detail()).isEqualTo("<html>Bad Gateway</html>");
        assertThat(e.problem().instance()).isEqualTo("/v1/transactions/" + TX);
    }

    @Test
    void retriesAnOverloadedSubmitWithTheSameKeyAfterRetryAfter() {
        String overloaded = "{\"type\":\"https://sagalog.io/problems/overloaded\",\"title\":\"Too busy\",\"status\":503,"
                + "\"detail\":\"busy\"}";
        server.problem(503, overloaded, Map.of("Retry-After", "0")).problem(503, overloaded, Map.of("Retry-After", "0"))
                .json(202, "{\"txId\":\"" + TX + "\",\"status\":\"PENDING\"}", Map.of("Idempotency-Key", "order-2"));

        Submission s = client.submitRetryingOverload("trip", Map.of(), "order-2", Duration.ofSeconds(10));

        assertThat(s.txId()).isEqualTo(TX);
        assertThat(server.received).hasSize(3).allSatisfy(r -> assertThat(r.header("Idempotency-Key")).isEqualTo("order-2"));
    }

    @Test
    void givesUpWhenTheServerAsksToWaitLongerThanAllowedAndNeverRetriesOtherErrors() {
        server.problem(503, "{\"type\":\"https://sagalog.io/problems/overloaded\",\"title\":\"Too busy\",\"status\":503}",
                Map.of("Retry-After", "5"));
        assertThatThrownBy(() -> client.submitRetryingOverload("trip", Map.of(), null, Duration.ofSeconds(1)))
                .isInstanceOf(OverloadedException.class);
        assertThat(server.received.get(0).header("Idempotency-Key")).as("a key made by the client").isNotBlank();

        server.problem(422, "{\"type\":\"https://sagalog.io/problems/unknown-definition\",\"title\":\"No such\",\"status\":422}",
                Map.of());
        assertThatThrownBy(() -> client.submitRetryingOverload("nope", Map.of(), "k", Duration.ofSeconds(10)))
                .isInstanceOf(ProblemException.class).hasMessageStartingWith("422 unknown-definition");
        assertThat(server.received).hasSize(2);
    }

    @Test
    void listSendsFiltersAndPagingAndReadsThePage() {
        server.json(200, """
                {"items":[{"txId":"%s","definition":"trip","definitionVersion":1,"status":"PARKED","reason":"mail down",
                           "createdAt":"2026-12-03T10:00:00Z","updatedAt":"2026-12-03T10:00:02Z","cursor":"c1"}],
                 "nextCursor":"0000000000000001|abc","unreachable":["10.0.0.2:8080"]}""".formatted(TX));

        TransactionPage page = client.list(ListQuery.all().withStatus(TransactionStatus.PARKED).withDefinition("trip booking")
                .withOlderThan(Duration.ofMinutes(10)).withCursor("0000000000000000|x").withLimit(5));

        assertThat(page.items()).singleElement().satisfies(i -> {
            assertThat(i.status()).isEqualTo(TransactionStatus.PARKED);
            assertThat(i.reason()).isEqualTo("mail down");
        });
        assertThat(page.hasMore()).isTrue();
        assertThat(page.unreachable()).containsExactly("10.0.0.2:8080");
        assertThat(server.received.get(0).uri().getRawQuery()).isEqualTo(
                "status=PARKED&definition=trip+booking&olderThan=600000ms&cursor=0000000000000000%7Cx&limit=5");
    }

    @Test
    void actSendsTheActionWithItsIdAndExpectedSeq() throws Exception {
        server.json(202, "{\"actionId\":\"a-1\",\"txId\":\"" + TX + "\",\"action\":\"skip\",\"status\":\"accepted\"}");

        ActionAccepted accepted = client.act(TX, ActionRequest.of(Action.SKIP, "done by hand").actionId("a-1").step("mail")
                .output(JSON.readTree("{\"sent\":true}")).expectedSeq(4));

        assertThat(accepted).isEqualTo(new ActionAccepted("a-1", TX, "skip", "accepted"));
        CannedServer.Received post = server.received.get(0);
        assertThat(post.uri().getPath()).isEqualTo("/v1/transactions/" + TX + "/actions");
        assertThat(JSON.readTree(post.body())).isEqualTo(JSON.readTree("{\"action\":\"skip\",\"reason\":\"done by hand\","
                + "\"actionId\":\"a-1\",\"step\":\"mail\",\"output\":{\"sent\":true},\"expectedSeq\":4}"));
    }

    @Test
    void awaitAsksTheServerToWaitAndReadsAgainUntilSettled() {
        String running = TRANSACTION.replace("\"status\":\"ROLLED_BACK\"", "\"status\":\"RUNNING\"");
        server.problem(404, "{\"type\":\"https://sagalog.io/problems/not-found\",\"title\":\"Not found\",\"status\":404}",
                Map.of()).json(200, running).json(200, TRANSACTION);

        Transaction tx = client.await(TX, Duration.ofSeconds(20));

        assertThat(tx.status()).isEqualTo(TransactionStatus.ROLLED_BACK);
        assertThat(server.received).hasSize(3).allSatisfy(r -> assertThat(r.uri().getQuery()).matches("wait=\\d+ms"));
        // The first read asks for the whole timeout (less the microseconds already gone), within the server's 30 s.
        assertThat(Long.parseLong(server.received.get(0).uri().getQuery().replaceAll("\\D", ""))).isBetween(19_000L, 20_000L);
    }

    @Test
    void awaitAfterAnActionWaitsPastThePARKEDStateTheActionLeft() {
        String parked = TRANSACTION.replace("\"status\":\"ROLLED_BACK\"", "\"status\":\"PARKED\"");
        String resumed = parked.replace("\"seq\":9", "\"seq\":10").replace("\"status\":\"PARKED\"", "\"status\":\"COMPLETED\"");
        server.json(200, parked).json(200, resumed);

        Transaction tx = client.await(TX, 9, Duration.ofSeconds(20));

        assertThat(tx.status()).isEqualTo(TransactionStatus.COMPLETED);
        assertThat(tx.lastSeq()).hasValue(10);
        assertThat(server.received).hasSize(2);
    }

    @Test
    void submitAndWaitReadsTheSettledTransactionFromThePost() {
        server.json(200, TRANSACTION);

        Transaction tx = client.submitAndWait("trip", Map.of(), "k", Duration.ofSeconds(90));

        assertThat(tx.status()).isEqualTo(TransactionStatus.ROLLED_BACK);
        assertThat(server.received.get(0).uri().toString()).isEqualTo("/v1/transactions?wait=30000ms");
    }
}
