package io.sagalog.app;

import io.sagalog.compensators.Participant;
import io.sagalog.compensators.ParticipantWorker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A small domain whose transactions park on demand, for tests of reads and operator actions: reserve (compensatable),
 * charge (the pivot), notify (retriable, 2 attempts 100 ms apart), each performed by a Java SDK participant named with
 * the test's suffix. While {@code mailDown} is set, notify fails and its transactions park after the pivot.
 */
final class ParkingTrip {
    private ParkingTrip() {}

    /** The definition's {@code steps} array, as JSON. */
    static String steps(String suffix) {
        return """
                [
                  {"name": "reserve", "participant": "hotels-%s", "action": "reserve", "compensation": "cancel"},
                  {"name": "charge", "participant": "payments-%s", "action": "charge", "kind": "pivot"},
                  {"name": "notify", "participant": "mail-%s", "action": "send", "kind": "retriable",
                   "retry": {"maxAttempts": 2, "initialBackoff": "100ms", "jitter": 0}}
                ]""".formatted(suffix, suffix, suffix);
    }

    /** Starts the three participants; the caller closes them. */
    static List<ParticipantWorker> participants(String suffix, String bootstrap, AtomicBoolean mailDown) {
        return List.of(
                ParticipantWorker.start(Participant.named("hotels-" + suffix)
                        .action("reserve", call -> Map.of("room", 7)).compensation("cancel", call -> { }).build(), bootstrap),
                ParticipantWorker.start(Participant.named("payments-" + suffix)
                        .action("charge", call -> Map.of("charge", "ch_1")).build(), bootstrap),
                ParticipantWorker.start(Participant.named("mail-" + suffix).action("send", call -> {
                    if (mailDown.get()) {
                        throw new IllegalStateException("mail server unreachable");
                    }
                    return Map.of("sent", true);
                }).build(), bootstrap));
    }
}
