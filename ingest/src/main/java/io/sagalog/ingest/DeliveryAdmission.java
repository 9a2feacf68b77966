package io.sagalog.ingest;

import io.sagalog.engine.Definition;
import io.sagalog.engine.DeliveryDelays;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses new transactions of a definition while step requests for one of its participants wait longer than a bound
 * before their delivery begins. That wait (the engine's lag plus the step topic's backlog) counts against each
 * attempt's deadline; left to grow, attempts expire undelivered, time out, roll back and park. Refusing at the door
 * instead keeps what was accepted well inside its timeouts: an overload slows transactions down and never parks
 * them. Definitions whose participants keep up are not refused.
 */
public final class DeliveryAdmission implements Admission {
    private static final Logger log = LoggerFactory.getLogger(DeliveryAdmission.class);
    /** Where the recent waits come from: the engine's own {@link DeliveryDelays}, or what a front end learned. */
    @FunctionalInterface
    public interface Delays {
        /** The participant among these whose requests recently waited longest, with that wait; null when none did. */
        Map.Entry<String, Long> worst(Iterable<String> participants);
    }

    private final Delays delays;
    private final Duration maxDelay;
    private final AtomicBoolean refusing = new AtomicBoolean();
    /** Below this the wait is Kafka's own round trip, not a backlog. */
    static final long MIN_BOUND_MILLIS = 50;

    public DeliveryAdmission(DeliveryDelays delays, Duration maxDelay) {
        this((Delays) delays::worst, maxDelay);
    }

    public DeliveryAdmission(Delays delays, Duration maxDelay) {
        this.delays = delays;
        this.maxDelay = maxDelay;
    }

    @Override
    public String refusal() {
        return null; // only a definition's own participants can make it wait
    }

    @Override
    public String refusal(Definition definition) {
        if (maxDelay.isZero()) {
            return null; // turned off (--max-delivery-delay 0)
        }
        Set<String> participants = new LinkedHashSet<>();
        long bound = maxDelay.toMillis();
        for (var step : definition.steps()) {
            participants.add(step.participant());
            // A request waiting a quarter of its step's timeout leaves the participant three quarters of it.
            bound = Math.min(bound, Math.max(MIN_BOUND_MILLIS, step.timeout().toMillis() / 4));
        }
        Map.Entry<String, Long> worst = delays.worst(participants);
        if (worst == null || worst.getValue() <= bound) {
            if (refusing.compareAndSet(true, false)) {
                log.info("taking submits again: step requests are delivered within {} ms", bound);
            }
            return null;
        }
        if (refusing.compareAndSet(false, true)) {
            log.warn("refusing submits of definitions using participant {}: its step requests waited {} ms before "
                    + "delivery (bound {} ms)", worst.getKey(), worst.getValue(), bound);
        }
        return "step requests for participant '" + worst.getKey() + "' (used by " + definition.name()
                + ") wait " + worst.getValue() + " ms before delivery, more than the " + bound + " ms allowed (the "
                + "smaller of --max-delivery-delay and a quarter of its shortest step timeout): the participants cannot "
                + "keep up; nothing was recorded; retry later";
    }
}
