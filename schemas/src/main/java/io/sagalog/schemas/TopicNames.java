package io.sagalog.schemas;

import io.sagalog.schemas.avro.ControlRecord;
import io.sagalog.schemas.avro.DefinitionRecord;
import io.sagalog.schemas.avro.JournalRecord;
import io.sagalog.schemas.avro.ParticipantRecord;
import io.sagalog.schemas.avro.StepRequest;

/**
 * The topics of one Sagalog deployment, all named with one prefix, so that deployments can share a cluster.
 * {@link #DEFAULT} ({@code sagalog.}) gives the names of {@link Topics}: they are a contract with every participant
 * and tool already deployed, and stay as they are.
 */
public record TopicNames(String prefix) {

    public static final TopicNames DEFAULT = new TopicNames("sagalog.");

    public TopicNames {
        // What Kafka allows in a topic name; a prefix must leave room for the rest (249 characters in all).
        if (prefix == null || !prefix.matches("[a-zA-Z0-9._-]{1,100}")) {
            throw new IllegalArgumentException("a topic prefix is 1 to 100 of a-z A-Z 0-9 . _ - (got '" + prefix + "')");
        }
    }

    /** The prefix given, or {@link #DEFAULT} for null. */
    public static TopicNames of(String prefix) {
        return prefix == null || prefix.equals(DEFAULT.prefix) ? DEFAULT : new TopicNames(prefix);
    }

    /** Everything the engine must react to: requests, step results, operator commands. Key: txId. */
    public Topic<ControlRecord> control() {
        return new Topic<>(prefix + "control", Topics.CONTROL.serde());
    }

    /** Every transition the engine made, one record per decision. Key: txId. */
    public Topic<JournalRecord> journal() {
        return new Topic<>(prefix + "journal", Topics.JOURNAL.serde());
    }

    /**
     * Expired transactions, each its final state and history as one JSON document (docs/retention.md), written just
     * before the engine deletes them; kept by time ({@code --archive-retention}) for Kafka Connect to ship. Key: txId.
     */
    public String archive() {
        return prefix + "archive";
    }

    /** Every version of every definition, compacted. Key: {@code <name>@<version>}. */
    public Topic<DefinitionRecord> definitions() {
        return new Topic<>(prefix + "definitions", Topics.DEFINITIONS.serde());
    }

    /** How to reach each participant, compacted. Key: participant name. */
    public Topic<ParticipantRecord> participants() {
        return new Topic<>(prefix + "participants", Topics.PARTICIPANTS.serde());
    }

    /** Action and compensation requests for one participant. Key: txId. */
    public Topic<StepRequest> steps(String participant) {
        return new Topic<>(prefix + "steps." + participant, Topics.steps(participant).serde());
    }

    /**
     * The consumer group of a participant's SDK workers: {@code sagalog-participant-<name>} with the default prefix
     * (as before prefixes existed), else the prefix without its trailing separator, then {@code -participant-<name>}.
     */
    public String participantGroup(String participant) {
        return prefix.replaceAll("[._-]$", "") + "-participant-" + participant;
    }
}
