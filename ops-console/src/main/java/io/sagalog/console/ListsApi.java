package io.sagalog.console;

import static io.sagalog.http.auth.Role.OPERATOR;
import static io.sagalog.http.auth.Role.VIEWER;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.engine.TransactionPage;
import io.sagalog.engine.TransactionQueries;
import io.sagalog.engine.TransactionQueries.Endpoint;
import io.sagalog.engine.TxStatus;
import io.sagalog.http.JsonAnswers;
import io.sagalog.http.OwnerForwarding;
import io.sagalog.http.Problem;
import io.sagalog.http.auth.DeclaredRoutes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Lists and counts of transactions: every instance answers for its own partitions, and the one asked merges the
 * answers of all (an instance that does not answer is named in {@code unreachable}). Store reads run on worker
 * threads; asking the others is asynchronous.
 */
final class ListsApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FORWARDED = OwnerForwarding.FORWARDED;

    private final Vertx vertx;
    private final TransactionQueries queries;
    private final Clock clock;
    private final WebClient client;

    ListsApi(Vertx vertx, TransactionQueries queries, Clock clock, WebClient client) {
        this.vertx = vertx;
        this.queries = queries;
        this.clock = clock;
        this.client = client;
    }

    /** Lists, counts are for people watching the system. */
    void mount(DeclaredRoutes routes) {
        routes.route(HttpMethod.GET, "/v1/transactions/counts", VIEWER, OPERATOR).handler(this::counts);
        routes.route(HttpMethod.GET, "/v1/transactions", VIEWER, OPERATOR).handler(this::list);
    }

    // ---- lists and counts ---------------------------------------------------------------------------------

    private void list(RoutingContext ctx) {
        ListQuery query;
        try {
            query = ListQuery.parse(ctx.request().params(), clock.instant());
        } catch (IllegalArgumentException e) {
            Problem.invalidRequest(e.getMessage()).send(ctx);
            return;
        }
        int limit = query.limit();
        Future<TransactionPage> local = vertx.executeBlocking(() -> queries.list(query.status(),
                query.definition(), query.cursor(), query.createdBefore(), limit), false);
        if (ctx.request().getHeader(FORWARDED) != null) {
            local.onComplete(page -> {
                if (page.failed()) {
                    ReadFailures.answer(ctx, page.cause(), "listing transactions");
                } else {
                    JsonAnswers.send(ctx, 200, pageJson(page.result().items(), page.result().nextCursor(), List.of()).toString());
                }
            });
            return;
        }
        fanOut(ctx, local.map(page -> pageJson(page.items(), page.nextCursor(), List.of()))).onComplete(parts -> {
            if (parts.failed()) {
                ReadFailures.answer(ctx, parts.cause(), "listing transactions");
                return;
            }
            List<JsonNode> items = new ArrayList<>();
            boolean more = false;
            for (JsonNode part : parts.result().answers()) {
                part.get("items").forEach(items::add);
                more |= part.hasNonNull("nextCursor");
            }
            items.sort(Comparator.comparing(n -> n.get("cursor").asText()));
            more |= items.size() > limit;
            List<JsonNode> pageItems = items.subList(0, Math.min(limit, items.size()));
            String next = more && !pageItems.isEmpty() ? pageItems.get(pageItems.size() - 1).get("cursor").asText() : null;
            JsonAnswers.send(ctx, 200, pageJson(pageItems, next, parts.result().unreachable()).toString());
        });
    }

    private static ObjectNode pageJson(List<?> items, String nextCursor, List<String> unreachable) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode array = body.putArray("items");
        for (Object item : items) {
            array.add(item instanceof TransactionPage.Summary s ? TransactionJson.summary(s) : (JsonNode) item);
        }
        body.put("nextCursor", nextCursor);
        if (!unreachable.isEmpty()) {
            unreachable.forEach(body.putArray("unreachable")::add);
        }
        return body;
    }

    private void counts(RoutingContext ctx) {
        Future<List<TransactionPage.Count>> local = vertx.executeBlocking(queries::counts, false);
        Future<JsonNode> localJson = local.map(ListsApi::countsJson);
        if (ctx.request().getHeader(FORWARDED) != null) {
            localJson.onComplete(c -> {
                if (c.failed()) {
                    ReadFailures.answer(ctx, c.cause(), "counting transactions");
                } else {
                    JsonAnswers.send(ctx, 200, c.result().toString());
                }
            });
            return;
        }
        fanOut(ctx, localJson).onComplete(parts -> {
            if (parts.failed()) {
                ReadFailures.answer(ctx, parts.cause(), "counting transactions");
                return;
            }
            Map<String, Long> byKey = new TreeMap<>();
            for (JsonNode part : parts.result().answers()) {
                for (JsonNode c : part.get("byDefinition")) {
                    byKey.merge(c.get("definition").asText() + "|" + c.get("status").asText(), c.get("count").asLong(), Long::sum);
                }
            }
            List<TransactionPage.Count> all = new ArrayList<>();
            byKey.forEach((k, v) -> {
                String[] parts2 = k.split("\\|");
                all.add(new TransactionPage.Count(parts2[0], TxStatus.valueOf(parts2[1]), v));
            });
            ObjectNode body = countsJson(all);
            if (!parts.result().unreachable().isEmpty()) {
                parts.result().unreachable().forEach(body.putArray("unreachable")::add);
            }
            JsonAnswers.send(ctx, 200, body.toString());
        });
    }

    private static ObjectNode countsJson(List<TransactionPage.Count> counts) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode byStatus = body.putObject("byStatus");
        for (TxStatus s : TxStatus.values()) {
            if (s != TxStatus.PENDING) {
                byStatus.put(s.name(), counts.stream().filter(c -> c.status() == s).mapToLong(TransactionPage.Count::count).sum());
            }
        }
        ArrayNode byDefinition = body.putArray("byDefinition");
        counts.forEach(c -> byDefinition.addObject().put("definition", c.definition()).put("status", c.status().name())
                .put("count", c.count()));
        return body;
    }

    private record Parts(List<JsonNode> answers, List<String> unreachable) {}

    /** This instance's answer plus every other instance's, asked with the same query; unreachable ones are named. */
    private Future<Parts> fanOut(RoutingContext ctx, Future<? extends JsonNode> local) {
        List<Endpoint> others = new ArrayList<>(queries.instances());
        others.remove(queries.self());
        List<Future<JsonNode>> remote = new ArrayList<>();
        for (Endpoint e : others) {
            HttpRequest<Buffer> r = client.request(HttpMethod.GET, e.port(), e.host(), ctx.request().uri())
                    .putHeader(FORWARDED, queries.self().toString()).timeout(5_000);
            copyHeader(ctx, r, "Authorization");
            remote.add(r.send().map(answer -> {
                if (answer.statusCode() != 200) {
                    throw new IllegalStateException(e + " answered " + answer.statusCode());
                }
                return (JsonNode) parse(answer.bodyAsString());
            }).recover(err -> Future.succeededFuture(null)));
        }
        return local.compose(mine -> Future.join(remote).transform(done -> {
            List<JsonNode> answers = new ArrayList<>();
            answers.add(mine);
            List<String> unreachable = new ArrayList<>();
            for (int i = 0; i < remote.size(); i++) {
                JsonNode answer = remote.get(i).result();
                if (answer == null) {
                    unreachable.add(others.get(i).toString());
                } else {
                    answers.add(answer);
                }
            }
            return Future.succeededFuture(new Parts(answers, unreachable));
        }));
    }


    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static void copyHeader(RoutingContext ctx, HttpRequest<Buffer> to, String name) {
        String value = ctx.request().getHeader(name);
        if (value != null) {
            to.putHeader(name, value);
        }
    }
}
