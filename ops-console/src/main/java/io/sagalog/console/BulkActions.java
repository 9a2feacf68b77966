package io.sagalog.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sagalog.engine.OperatorAction;
import io.sagalog.engine.TransactionQueries.Endpoint;
import io.sagalog.engine.TxStatus;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * An operator action applied to every transaction a query finds (e.g. retry every PARKED transaction of definition
 * X whose reason mentions "circuit open"). A job pages through the list API and posts one action per transaction
 * through the action API, so each one gets the same checks, forwarding and audit trail as a single action; the
 * action id is {@code <bulkId>:<txId>}, so running the same job again changes nothing twice. Jobs and their progress
 * live in the memory of the instance that started them.
 */
final class BulkActions {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE = 200;
    private static final int KEPT_JOBS = 100;
    private static final java.util.regex.Pattern DEFINITION_NAME =
            java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");

    private final WebClient client;
    private final Supplier<Endpoint> self;
    private final Map<String, Job> jobs = java.util.Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Job> eldest) {
            return size() > KEPT_JOBS;
        }
    });

    BulkActions(WebClient client, Supplier<Endpoint> self) {
        this.client = client;
        this.self = self;
    }

    /** What to do and to which transactions. */
    record Request(TxStatus status, String definition, String reasonContains, OperatorAction action, String step,
                   String reason, boolean force) {

        static Request parse(JsonNode body) {
            JsonNode query = body.get("query");
            if (query == null || !query.isObject()) {
                throw new IllegalArgumentException("'query' is required: {\"status\": \"PARKED\", \"definition\": \"...\", "
                        + "\"reason\": \"text the reason contains\"}");
            }
            TxStatus status;
            try {
                if (query.hasNonNull("status") && !query.get("status").isTextual()) {
                    throw new IllegalArgumentException();
                }
                status = query.hasNonNull("status") ? TxStatus.valueOf(query.get("status").asText().toUpperCase(Locale.ROOT))
                        : null;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'query.status' must be one of " + List.of(TxStatus.values()));
            }
            JsonNode definition = query.get("definition");
            if (definition != null && !definition.isNull()
                    && (!definition.isTextual() || !DEFINITION_NAME.matcher(definition.asText()).matches())) {
                throw new IllegalArgumentException("'query.definition' must be a definition name (1-100 letters, digits, "
                        + "'.', '_' or '-'); leave it out to match every definition of the status");
            }
            JsonNode reason = query.get("reason");
            if (reason != null && !reason.isNull() && (!reason.isTextual() || reason.asText().isBlank()
                    || reason.asText().length() > 1000)) {
                throw new IllegalArgumentException("'query.reason' must be text of 1 to 1000 characters that the reason "
                        + "of a transaction contains");
            }
            if (status == null && (definition == null || definition.isNull())) {
                throw new IllegalArgumentException("'query' must name a status or a definition, so a bulk action never "
                        + "touches every transaction by accident");
            }
            if (body.hasNonNull("expectedSeq")) {
                throw new IllegalArgumentException("'expectedSeq' is for an action on one transaction "
                        + "(POST /v1/transactions/{txId}/actions); a bulk action has none");
            }
            ActionRequest action = ActionRequest.of(body);
            return new Request(status, definition == null || definition.isNull() ? null : definition.asText(),
                    reason == null || reason.isNull() ? null : reason.asText(), action.action(), action.step(),
                    action.reason(), action.force());
        }
    }

    /** One bulk action's progress. */
    static final class Job {
        private final String id = UUID.randomUUID().toString();
        private final Request request;
        private volatile String state = "RUNNING";
        private volatile int matched;
        private volatile int accepted;
        private final List<ObjectNode> failures = java.util.Collections.synchronizedList(new ArrayList<>());

        Job(Request request) {
            this.request = request;
        }

        String id() {
            return id;
        }

        ObjectNode toJson() {
            ObjectNode n = JSON.createObjectNode().put("bulkId", id).put("state", state)
                    .put("action", request.action().wireName()).put("matched", matched).put("accepted", accepted)
                    .put("failed", failures.size());
            ObjectNode q = n.putObject("query");
            q.put("status", request.status() == null ? null : request.status().name()).put("definition", request.definition())
                    .put("reason", request.reasonContains());
            synchronized (failures) {
                failures.forEach(n.putArray("failures")::add);
            }
            if (!n.has("failures")) {
                n.putArray("failures");
            }
            return n;
        }
    }

    Job start(Request request, String authorization) {
        Job job = new Job(request);
        jobs.put(job.id(), job);
        nextPage(job, authorization, null);
        return job;
    }

    Optional<Job> find(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    private void nextPage(Job job, String authorization, String cursor) {
        StringBuilder uri = new StringBuilder("/v1/transactions?limit=").append(PAGE);
        if (job.request.status() != null) {
            uri.append("&status=").append(job.request.status());
        }
        if (job.request.definition() != null) {
            uri.append("&definition=").append(URLEncoder.encode(job.request.definition(), StandardCharsets.UTF_8));
        }
        if (cursor != null) {
            uri.append("&cursor=").append(URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        }
        request(HttpMethod.GET, uri.toString(), authorization).send().onComplete(r -> {
            if (r.failed() || r.result().statusCode() != 200) {
                fail(job, null, r.failed() ? 0 : r.result().statusCode(), r.failed() ? r.cause().getMessage()
                        : "listing transactions answered " + r.result().bodyAsString());
                job.state = "FAILED";
                return;
            }
            JsonNode page = parse(r.result().bodyAsString());
            List<String> matches = new ArrayList<>();
            for (JsonNode item : page.get("items")) {
                String reason = item.hasNonNull("reason") ? item.get("reason").asText() : "";
                if (job.request.reasonContains() == null
                        || reason.toLowerCase(Locale.ROOT).contains(job.request.reasonContains().toLowerCase(Locale.ROOT))) {
                    matches.add(item.get("txId").asText());
                }
            }
            job.matched += matches.size();
            actOn(job, authorization, matches, 0).onComplete(done -> {
                if (page.hasNonNull("nextCursor")) {
                    nextPage(job, authorization, page.get("nextCursor").asText());
                } else {
                    job.state = "DONE";
                }
            });
        });
    }

    /** One at a time: a bulk action must not flood the control log or the participants it wakes up. */
    private Future<Void> actOn(Job job, String authorization, List<String> txIds, int i) {
        if (i >= txIds.size()) {
            return Future.succeededFuture();
        }
        String txId = txIds.get(i);
        ObjectNode body = JSON.createObjectNode().put("action", job.request.action().wireName())
                .put("reason", job.request.reason()).put("actionId", job.id() + ":" + txId).put("force", job.request.force());
        if (job.request.step() != null) {
            body.put("step", job.request.step());
        }
        return request(HttpMethod.POST, "/v1/transactions/" + txId + "/actions", authorization)
                .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body.toString()))
                .transform(r -> {
                    if (r.succeeded() && r.result().statusCode() == 202) {
                        job.accepted++;
                    } else if (r.succeeded()) {
                        JsonNode problem = parse(r.result().bodyAsString());
                        fail(job, txId, r.result().statusCode(), problem.hasNonNull("detail")
                                ? problem.get("detail").asText() : r.result().bodyAsString());
                    } else {
                        fail(job, txId, 0, r.cause().getMessage());
                    }
                    return actOn(job, authorization, txIds, i + 1);
                });
    }

    private static void fail(Job job, String txId, int status, String detail) {
        ObjectNode f = JSON.createObjectNode();
        if (txId != null) {
            f.put("txId", txId);
        }
        job.failures.add(f.put("status", status).put("detail", detail));
    }

    private HttpRequest<Buffer> request(HttpMethod method, String uri, String authorization) {
        Endpoint me = self.get();
        HttpRequest<Buffer> r = client.request(method, me.port(), me.host(), uri).timeout(10_000);
        if (authorization != null) {
            r.putHeader("Authorization", authorization);
        }
        return r;
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text == null ? "{}" : text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return JSON.createObjectNode().put("detail", text);
        }
    }
}
