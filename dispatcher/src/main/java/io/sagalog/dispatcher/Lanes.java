package io.sagalog.dispatcher;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.sagalog.engine.CallbackTokens;
import io.sagalog.engine.registry.ParticipantInfo;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link ParticipantLane} per participant registered with {@code transport: http}, following the registry: a
 * new participant gets a lane, a changed one updates its lane, one that is gone (or no longer HTTP) has its lane
 * closed. All lanes share one Vert.x context and web client (the health checks').
 */
final class Lanes implements AutoCloseable {
    private final Map<String, ParticipantLane> byName = new ConcurrentHashMap<>();
    private final Context context;
    private final WebClient client;
    private final CallbackTokens tokens;
    private final String callbackUrl;
    /** Every lane's breaker, so resilience4j-micrometer can follow them as participants come and go. */
    private final CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();

    Lanes(Vertx vertx, CallbackTokens tokens, String callbackUrl) {
        this.context = vertx.getOrCreateContext();
        this.client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setConnectTimeout(2_000));
        this.tokens = tokens;
        this.callbackUrl = callbackUrl;
    }

    /** Makes the lanes match the HTTP participants of {@code registered}; returns them. */
    Collection<ParticipantInfo> follow(Map<String, ParticipantInfo> registered) {
        Map<String, ParticipantInfo> http = new LinkedHashMap<>();
        for (ParticipantInfo p : registered.values()) {
            if (p.transport() == ParticipantInfo.Transport.HTTP) {
                http.put(p.name(), p);
                byName.compute(p.name(), (name, lane) -> {
                    if (lane == null) {
                        return new ParticipantLane(context, client, p, tokens, callbackUrl, breakers);
                    }
                    lane.update(p);
                    return lane;
                });
            }
        }
        byName.keySet().removeIf(name -> {
            boolean gone = !http.containsKey(name);
            if (gone) {
                byName.get(name).close();
            }
            return gone;
        });
        return http.values();
    }

    Optional<ParticipantLane> of(String participant) {
        return Optional.ofNullable(byName.get(participant));
    }

    CircuitBreakerRegistry breakers() {
        return breakers;
    }

    /** Per participant: breaker state, calls in flight, calls queued; for metrics and the console. */
    Map<String, Map<String, Object>> status() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        new TreeSet<>(byName.keySet()).forEach(name -> {
            ParticipantLane lane = byName.get(name);
            out.put(name, Map.of("breaker", lane.breakerState(), "inFlight", lane.inFlight(), "queued", lane.queued()));
        });
        return out;
    }

    @Override
    public void close() {
        byName.values().forEach(ParticipantLane::close);
        client.close();
    }
}
