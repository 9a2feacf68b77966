package io.sagalog.app.demo;

import io.sagalog.compensators.Participant;
import io.sagalog.compensators.PermanentFailure;
import io.sagalog.compensators.StepCall;
import io.sagalog.engine.Definition;
import io.sagalog.engine.DefinitionParser;
import io.sagalog.engine.InvalidDefinitionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The demo domain of {@code sagalog dev}: book a flight, a hotel, then charge a card. An input with
 * {@code "failAt": "flights"|"hotels"|"payments"} makes that participant reject its action, so the transaction
 * rolls back. Every handler call is written to {@link #calls()} so tests and people can see what ran.
 */
public final class TripBooking {
    public static final String DEFINITION = "trip-booking";

    /** One handler call as a participant saw it. */
    public record Call(String txId, String participant, String handler) {
        @Override
        public String toString() {
            return participant + "." + handler;
        }
    }

    private final Queue<Call> calls = new ConcurrentLinkedQueue<>();

    public static Definition definition() {
        try (InputStream in = TripBooking.class.getResourceAsStream("trip-booking.json")) {
            return DefinitionParser.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InvalidDefinitionException e) {
            throw new IllegalStateException("the demo definition is invalid: " + e.problems(), e);
        }
    }

    public List<Participant> participants() {
        return List.of(
                participant("flights", "reserve", "cancel", call -> Map.of("flight", "SG" + code(call), "seat", "12A")),
                participant("hotels", "reserve", "cancel", call -> Map.of("hotel", "Harbour Inn", "room", code(call) % 400)),
                participant("payments", "charge", "refund", call -> Map.of("charge", "ch_" + code(call))));
    }

    /** Every handler call so far, in the order they ran. */
    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /** The calls for one transaction, in order. */
    public List<Call> calls(String txId) {
        return calls.stream().filter(c -> c.txId().equals(txId)).toList();
    }

    private Participant participant(String name, String action, String compensation,
                                    java.util.function.Function<StepCall, Object> output) {
        return Participant.named(name)
                .action(action, call -> {
                    calls.add(new Call(call.txId(), name, action));
                    if (name.equals(call.input().path("failAt").asText())) {
                        throw PermanentFailure.because(name + " rejected the request (demo input failAt=" + name + ")");
                    }
                    return output.apply(call);
                })
                .compensation(compensation, call -> calls.add(new Call(call.txId(), name, compensation)))
                .build();
    }

    private static int code(StepCall call) {
        return Math.floorMod(call.idempotencyKey().hashCode(), 9000) + 1000;
    }
}
