package io.sagalog.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagalog.engine.TransactionQueries;
import io.sagalog.http.OwnerForwarding;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

/**
 * A submit's {@code Idempotency-Key} and its txId: a client's key names the txId (the name-based UUID of definition
 * and key), so a retry lands on the same transaction, and what that transaction recorded is asked of its owner
 * before appending. Without a key, ingest makes one that names a new time-ordered txId.
 */
final class IdempotencyKeys {
    /** Prefix of the Idempotency-Key ingest makes for a request without one: the key names the txId itself. */
    static final String SERVER_KEY_PREFIX = "txid:";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What an earlier request with the same txId recorded. */
    record Prior(String definition, JsonNode input, String status) {}

    private final Vertx vertx;
    private final Clock clock;
    private final TransactionQueries queries;
    private final OwnerForwarding forwarding;

    /** @param queries where a client's key is looked up; null: no look-up (see {@link #canLookUp}) */
    IdempotencyKeys(Vertx vertx, Clock clock, TransactionQueries queries) {
        this.vertx = vertx;
        this.clock = clock;
        this.queries = queries;
        this.forwarding = queries == null ? null : new OwnerForwarding(vertx, queries);
    }

    boolean canLookUp() {
        return queries != null;
    }

    /** With a client's key, the name-based UUID of (definition, key); a key ingest made names its txId; else a new one. */
    String txIdOf(String definition, String idempotencyKey) {
        if (idempotencyKey == null) {
            return TxIds.next(clock.millis()); // time-ordered (TxIds)
        }
        if (idempotencyKey.startsWith(SERVER_KEY_PREFIX)) {
            try {
                return UUID.fromString(idempotencyKey.substring(SERVER_KEY_PREFIX.length())).toString();
            } catch (IllegalArgumentException e) {
                // not one ingest made: an ordinary key
            }
        }
        return UUID.nameUUIDFromBytes(("sagalog:" + definition.length() + ":" + definition + ":" + idempotencyKey)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The transaction as its owner holds it (asked over HTTP like GET /v1/transactions/{txId}), or empty. */
    Future<Optional<Prior>> prior(RoutingContext ctx, String txId) {
        Optional<TransactionQueries.Endpoint> owner;
        try {
            owner = queries.ownerOf(txId);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        if (owner.isEmpty()) {
            return Future.failedFuture(new IllegalStateException("the engine does not know yet which instance holds "
                    + txId + " (starting or rebalancing)"));
        }
        boolean forwarded = queries.holdsTransactions() && ctx.request().getHeader(OwnerForwarding.FORWARDED) != null;
        if (owner.get().equals(queries.self()) || forwarded) {
            return vertx.executeBlocking(() -> queries.find(txId).map(v -> {
                try {
                    return new Prior(v.state().definition(), JSON.readTree(v.state().input()), v.state().status().name());
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("stored input of " + txId + " is not JSON", e);
                }
            }), false);
        }
        TransactionQueries.Endpoint target = owner.get();
        var get = forwarding.client().request(HttpMethod.GET, target.port(), target.host(), "/v1/transactions/" + txId)
                .timeout(5_000);
        if (queries.holdsTransactions()) { // a front end's question is routed on by the engine instance it asks
            get.putHeader(OwnerForwarding.FORWARDED, queries.self().toString());
        }
        if (ctx.request().getHeader("Authorization") != null) {
            get.putHeader("Authorization", ctx.request().getHeader("Authorization"));
        }
        return get.send().map(r -> {
            if (r.statusCode() == 404) {
                return Optional.<Prior>empty();
            }
            if (r.statusCode() != 200) {
                throw new IllegalStateException("instance " + target + " answered " + r.statusCode());
            }
            try {
                JsonNode tx = JSON.readTree(r.bodyAsString());
                return Optional.of(new Prior(tx.path("definition").asText(), tx.path("input"),
                        tx.path("status").asText()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("instance " + target + " answered with something that is not JSON", e);
            }
        });
    }
}
