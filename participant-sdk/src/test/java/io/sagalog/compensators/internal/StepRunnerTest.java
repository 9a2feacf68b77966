package io.sagalog.compensators.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sagalog.compensators.Participant;
import io.sagalog.compensators.PermanentFailure;
import io.sagalog.compensators.StepCall;
import io.sagalog.schemas.avro.Outcome;
import io.sagalog.schemas.avro.Phase;
import io.sagalog.schemas.avro.StepRequest;
import io.sagalog.schemas.avro.StepResult;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepRunnerTest {
    private final List<StepCall> calls = new ArrayList<>();
    private final StepRunner runner = new StepRunner(Participant.named("hotels")
            .action("reserve", call -> {
                calls.add(call);
                String city = call.input().path("city").asText();
                if (city.equals("Atlantis")) {
                    throw PermanentFailure.because("no hotels in " + city);
                }
                if (city.equals("Flaky")) {
                    throw new IllegalStateException("database unavailable");
                }
                if (city.equals("Broken")) {
                    throw new NoClassDefFoundError("com/example/Rooms " + "x".repeat(10_000));
                }
                if (city.equals("Loop")) {
                    Map<String, Object> self = new java.util.HashMap<>();
                    self.put("self", self); // Jackson cannot write a cycle
                    return self;
                }
                if (city.equals("Deep")) {
                    return recurse(0);
                }
                if (city.equals("Huge")) {
                    return Map.of("blob", "x".repeat(300 * 1024));
                }
                if (city.equals("Timely")) {
                    return Map.of("checkIn", Instant.parse("2026-12-24T15:00:00Z"),
                            "stay", java.time.Duration.ofHours(36), "date", java.time.LocalDate.parse("2026-12-24"));
                }
                if (city.equals("Chatty")) {
                    throw new IllegalStateException("y".repeat(20_000));
                }
                return Map.of("room", 12);
            })
            .compensation("cancel", calls::add)
            .build(), Clock.fixed(Instant.ofEpochMilli(42), ZoneOffset.UTC));

    @Test
    void shouldReportTheActionOutputAsJsonAndPassTheCallItsContext() {
        StepResult result = run(request(Phase.ACTION, "reserve", "{\"city\":\"Oslo\"}"));

        assertThat(result.getOutcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(result.getOutput()).isEqualTo("{\"room\":12}");
        assertThat(calls).singleElement().satisfies(c -> {
            assertThat(c.idempotencyKey()).isEqualTo("tx-1:hotels:action");
            assertThat(c.context().path("flights").path("seat").asText()).isEqualTo("2A");
            assertThat(c.attempt()).isEqualTo(2);
        });
    }

    @Test
    void shouldReportPermanentFailureAsPermanentAndAnyOtherExceptionAsTransient() {
        assertThat(run(request(Phase.ACTION, "reserve", "{\"city\":\"Atlantis\"}")))
                .satisfies(r -> {
                    assertThat(r.getOutcome()).isEqualTo(Outcome.FAILED_PERMANENT);
                    assertThat(r.getError()).isEqualTo("no hotels in Atlantis");
                });
        assertThat(run(request(Phase.ACTION, "reserve", "{\"city\":\"Flaky\"}")))
                .satisfies(r -> {
                    assertThat(r.getOutcome()).isEqualTo(Outcome.FAILED_TRANSIENT);
                    assertThat(r.getError()).contains("database unavailable");
                });
    }

    @Test
    void shouldRunTheCompensationAndEchoStepAttemptAndPhase() {
        StepResult result = run(request(Phase.COMPENSATION, "cancel", "{}"));

        assertThat(result.getOutcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(result.getPhase()).isEqualTo(Phase.COMPENSATION);
        assertThat(result.getStep()).isEqualTo("hotels");
        assertThat(result.getAttempt()).isEqualTo(2);
        assertThat(calls).hasSize(1);
    }

    @Test
    void shouldRejectARequestForAHandlerTheParticipantDoesNotHave() {
        StepResult result = run(request(Phase.ACTION, "upgrade", "{}"));

        assertThat(result.getOutcome()).isEqualTo(Outcome.FAILED_PERMANENT);
        assertThat(result.getError()).isEqualTo("participant hotels has no action handler named 'upgrade'");
    }

    @Test
    void shouldReportExpiredWithoutRunningAnActionWhoseDeadlinePassed() {
        StepRequest late = request(Phase.ACTION, "reserve", "{\"city\":\"Oslo\"}");
        late.setDeadlineMillis(41);

        StepResult result = run(late);

        assertThat(calls).isEmpty();
        assertThat(result.getOutcome()).isEqualTo(Outcome.EXPIRED);
        assertThat(result.getError()).contains("after its deadline");
    }

    @Test
    void shouldFailTheStepTransientlyWhenTheHandlerThrowsAnErrorWithTheTextBoundedTo4KiB() {
        StepResult result = run(request(Phase.ACTION, "reserve", "{\"city\":\"Broken\"}"));

        assertThat(result.getOutcome()).isEqualTo(Outcome.FAILED_TRANSIENT);
        assertThat(result.getError()).startsWith("NoClassDefFoundError: com/example/Rooms");
        assertThat(result.getError().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
    }

    @Test
    void shouldBoundTheErrorTextOfAnyExceptionTo4KiB() {
        StepResult result = run(request(Phase.ACTION, "reserve", "{\"city\":\"Chatty\"}"));

        assertThat(result.getOutcome()).isEqualTo(Outcome.FAILED_TRANSIENT);
        assertThat(result.getError().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
    }

    @Test
    void shouldWriteJavaTimeValuesInTheOutputAsIsoText() throws Exception {
        StepResult result = run(request(Phase.ACTION, "reserve", "{\"city\":\"Timely\"}"));

        assertThat(result.getOutcome()).isEqualTo(Outcome.SUCCEEDED);
        var output = new com.fasterxml.jackson.databind.ObjectMapper().readTree(result.getOutput());
        assertThat(output.path("checkIn").asText()).isEqualTo("2026-12-24T15:00:00Z");
        assertThat(output.path("stay").asText()).isEqualTo("PT36H");
        assertThat(output.path("date").asText()).isEqualTo("2026-12-24");
    }

    @Test
    void shouldReadAndWriteWithTheMapperTheCallerSupplies() {
        record Booking(String roomNumber, Instant checkIn) {}
        Participant hotels = Participant.named("hotels")
                .action("reserve", call -> new Booking(call.input().path("room_number").asText(),
                        Instant.parse("2026-12-24T15:00:00Z")))
                .build();
        var snakeCase = io.sagalog.compensators.ParticipantWorker.defaultObjectMapper()
                .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);

        var record = new StepRunner(hotels, Clock.fixed(Instant.ofEpochMilli(42), ZoneOffset.UTC), snakeCase)
                .run(request(Phase.ACTION, "reserve", "{\"room_number\":\"12\"}"));

        StepResult result = (StepResult) record.getBody();
        assertThat(result.getOutcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(result.getOutput()).isEqualTo("{\"room_number\":\"12\",\"check_in\":\"2026-12-24T15:00:00Z\"}");

        // A mapper without JavaTimeModule, given by the caller, is used as it is: the Instant cannot be written.
        var plain = new StepRunner(hotels, Clock.fixed(Instant.ofEpochMilli(42), ZoneOffset.UTC),
                new com.fasterxml.jackson.databind.ObjectMapper())
                .run(request(Phase.ACTION, "reserve", "{}"));
        assertThat(((StepResult) plain.getBody()).getOutcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(((StepResult) plain.getBody()).getError()).contains("cannot be written as JSON");
    }

    @Test
    void shouldReportAnUnknownOutcomeWithAClearErrorWhenTheOutputCannotBeWrittenAsJson() {
        StepResult result = run(request(Phase.ACTION, "reserve", "{\"city\":\"Loop\"}"));

        // The handler ran: its effect happened, so the step is in doubt (a rollback compensates it), not rejected.
        assertThat(result.getOutcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(result.getError()).contains("output of hotels.reserve cannot be written as JSON");
        assertThat(result.getOutput()).isNull();
    }

    @Test
    void shouldReportAnUnknownOutcomeWhenTheOutputIsLargerThan256KiB() {
        StepResult result = run(request(Phase.ACTION, "reserve", "{\"city\":\"Huge\"}"));

        assertThat(result.getOutcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(result.getError()).contains("larger than the limit of 262144 bytes");
        assertThat(result.getOutput()).isNull();
    }

    @Test
    void shouldFailTheStepWhenTheHandlerOverflowsTheStack() {
        StepResult result = run(request(Phase.ACTION, "reserve", "{\"city\":\"Deep\"}"));

        assertThat(result.getOutcome()).isEqualTo(Outcome.FAILED_TRANSIENT);
        assertThat(result.getError()).contains("StackOverflowError");
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    private StepResult run(StepRequest request) {
        var record = runner.run(request);
        assertThat(record.getTxId()).isEqualTo("tx-1");
        assertThat(record.getAtMillis()).isEqualTo(42);
        return (StepResult) record.getBody();
    }

    private static StepRequest request(Phase phase, String handler, String input) {
        return StepRequest.newBuilder().setTxId("tx-1").setDefinition("trip-booking").setStep("hotels")
                .setParticipant("hotels").setPhase(phase).setHandler(handler).setAttempt(2)
                .setIdempotencyKey("tx-1:hotels:" + (phase == Phase.ACTION ? "action" : "compensation"))
                .setInput(input).setContext("{\"flights\":{\"seat\":\"2A\"}}").setDeadlineMillis(1000).build();
    }
}
