package io.sagalog.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The answer to an accepted action ({@code 202}): it is recorded in the control log and the engine applies it next
 * (it shows in the history as {@code OperatorActed}).
 *
 * @param status {@code accepted}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ActionAccepted(String actionId, String txId, String action, String status) {
}
