package io.sagalog.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.UUID;

/**
 * An operator action on one transaction. Start with {@link #of(Action, String)}, then add what the action needs:
 * <pre>{@code
 * Transaction seen = client.get(txId);
 * client.act(txId, ActionRequest.of(Action.RESUME, "mail server is back").expectedSeq(seen.lastSeq().getAsLong()));
 * }</pre>
 *
 * @param action what to do
 * @param reason why, in words (required; kept in the history with the caller)
 * @param step the step it is about (null: the one the transaction stands at)
 * @param output for {@link Action#SKIP}: the output the skipped step is taken to have produced
 * @param force for {@link Action#ROLLBACK} after the pivot: roll back anyway
 * @param actionId names the action so that sending it again applies it once; {@link #of} makes a random one,
 *                 so a retry of the same request object is safe
 * @param expectedSeq the {@code seq} of the newest history event the caller saw (null: act whatever happened since);
 *                    when the transaction moved on since, the action is refused with {@link StaleTransactionException}
 */
public record ActionRequest(Action action, String reason, String step, JsonNode output, boolean force, String actionId,
                            Long expectedSeq) {
    public ActionRequest {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(reason, "reason: say why, in words; it is kept in the history");
        Objects.requireNonNull(actionId, "actionId");
    }

    /** An action with a new random {@code actionId}. */
    public static ActionRequest of(Action action, String reason) {
        return new ActionRequest(action, reason, null, null, false, UUID.randomUUID().toString(), null);
    }

    /** This request about the named step. */
    public ActionRequest step(String name) {
        return new ActionRequest(action, reason, name, output, force, actionId, expectedSeq);
    }

    /** This request with the output a {@link Action#SKIP} records for the step. */
    public ActionRequest output(JsonNode skipOutput) {
        return new ActionRequest(action, reason, step, skipOutput, force, actionId, expectedSeq);
    }

    /** This request with {@code force} set (a rollback after the pivot). */
    public ActionRequest force(boolean force) {
        return new ActionRequest(action, reason, step, output, force, actionId, expectedSeq);
    }

    /** This request under the given {@code actionId} (e.g. one kept from an earlier attempt). */
    public ActionRequest actionId(String id) {
        return new ActionRequest(action, reason, step, output, force, id, expectedSeq);
    }

    /** This request refused unless the newest history event is still {@code seq} (see {@link Transaction#lastSeq()}). */
    public ActionRequest expectedSeq(long seq) {
        return new ActionRequest(action, reason, step, output, force, actionId, seq);
    }
}
