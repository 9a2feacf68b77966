package io.sagalog.bench;

import io.sagalog.compensators.Participant;
import io.sagalog.compensators.PermanentFailure;
import io.sagalog.engine.Definition;
import io.sagalog.engine.DefinitionParser;
import io.sagalog.engine.InvalidDefinitionException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The saga shapes {@code sagalog bench} runs. Each isolates one cost: S3 is the reference (3 no-op steps, 1 KB
 * input); S3-comp adds the rollback path; S3-11KB shows what input size costs (the input travels with every step
 * request and sits in the state and its changelog); S10 shows how the cost grows with the number of steps.
 *
 * <p>Participants do nothing, so what is measured is Sagalog's own overhead: the HTTP submit, the control log, the
 * engine's decisions, state and journal, and the step round trips through Kafka. Every workload has its own
 * definition and participants, so running several in one bench never lets one workload's leftovers reach another's
 * participants.
 *
 * <p>Whether a transaction fails is decided by the load generator and carried in the input ({@code "fail": true}
 * on every 5th sequence number), not drawn at random in the participant, so a run is reproducible and the client
 * knows which final status to expect for each transaction.
 */
public enum Workload {
    S3("S3", 3, 1024, 0, "3 steps, 1 KB input, no-op participants"),
    S3_COMP("S3-comp", 3, 1024, 5,
            "S3 with every 5th transaction (20%) failing permanently at step 3, so 2 compensations run"),
    S3_11KB("S3-11KB", 3, 11 * 1024, 0, "3 steps, 11 KB input, no-op participants"),
    S10("S10", 10, 1024, 0, "10 steps, each its own no-op participant, 1 KB input");

    static final String COMPLETED = "COMPLETED";
    static final String ROLLED_BACK = "ROLLED_BACK";
    static final String ACTION = "do";
    static final String COMPENSATION = "undo";

    private final String label;
    private final int steps;
    private final int inputBytes;
    private final int failEvery;
    private final String description;

    Workload(String label, int steps, int inputBytes, int failEvery, String description) {
        this.label = label;
        this.steps = steps;
        this.inputBytes = inputBytes;
        this.failEvery = failEvery;
        this.description = description;
    }

    /** The name on the command line and in results, e.g. {@code S3-comp}. */
    public String label() {
        return label;
    }

    public int steps() {
        return steps;
    }

    /** Size of the transaction's input, the JSON object as sent and stored, in bytes. */
    public int inputBytes() {
        return inputBytes;
    }

    public String description() {
        return description;
    }

    /** Share of transactions that fail (and roll back): 0.2 for S3-comp, else 0. */
    public double failingFraction() {
        return failEvery == 0 ? 0 : 1.0 / failEvery;
    }

    /** The step whose action rejects failing transactions: the last, so every earlier step is compensated. */
    public int failingStep() {
        return steps;
    }

    /** Whether the transaction with this sequence number is meant to fail: every 5th of S3-comp's. */
    public boolean fails(long seq) {
        return failEvery > 0 && seq % failEvery == failEvery - 1;
    }

    /** The final status a correct engine reports for this transaction. */
    public String expectedStatus(long seq) {
        return fails(seq) ? ROLLED_BACK : COMPLETED;
    }

    /**
     * Participant calls (actions and compensations) per transaction, on average: the unit of "steps/s". A
     * transaction that completes makes one call per step; one that fails at step k makes k actions (the k-th
     * rejected) and k - 1 compensations. S3-comp: 0.8 x 3 + 0.2 x 5 = 3.4.
     */
    public double participantCallsPerTransaction() {
        int k = failingStep();
        double f = failingFraction();
        return (1 - f) * steps + f * (2 * k - 1);
    }

    /** The definition's name, e.g. {@code bench-s3-comp}. */
    public String definitionName() {
        return "bench-" + label.toLowerCase(Locale.ROOT);
    }

    /** The participant of step {@code step} (1-based), e.g. {@code bench-s3-comp-p3}. */
    public String participantName(int step) {
        return definitionName() + "-p" + step;
    }

    /** Steps {@code step1..stepN}, each its own participant with action {@code do} and compensation {@code undo}. */
    public Definition definition() {
        StringBuilder json = new StringBuilder("{\"name\": \"").append(definitionName()).append("\", \"steps\": [");
        for (int i = 1; i <= steps; i++) {
            json.append(i > 1 ? "," : "").append("{\"name\": \"step").append(i).append("\", \"participant\": \"")
                    .append(participantName(i)).append("\", \"action\": \"").append(ACTION)
                    .append("\", \"compensation\": \"").append(COMPENSATION).append("\"}");
        }
        try {
            return DefinitionParser.parse(json.append("]}").toString(), 1);
        } catch (InvalidDefinitionException e) {
            throw new IllegalStateException("the bench definition of " + label + " is invalid: " + e.getMessage(), e);
        }
    }

    /**
     * The participants, one per step, as Java SDK handlers that do nothing; in a workload with failures, the
     * failing step's action throws {@link PermanentFailure} when the input says {@code "fail": true}.
     */
    public List<Participant> participants() {
        List<Participant> participants = new ArrayList<>(steps);
        for (int i = 1; i <= steps; i++) {
            boolean rejects = failEvery > 0 && i == failingStep();
            participants.add(Participant.named(participantName(i))
                    .action(ACTION, call -> {
                        if (rejects && call.input() != null && call.input().path("fail").asBoolean(false)) {
                            throw PermanentFailure.because("the bench asked transaction " + call.txId() + " to fail");
                        }
                        return Map.of();
                    })
                    .compensation(COMPENSATION, call -> { })
                    .build());
        }
        return participants;
    }

    /**
     * The input of transaction {@code seq}: {@code {"seq":N,"fail":B,"payload":"xxx..."}}, padded so the JSON is
     * exactly {@link #inputBytes()} bytes whatever the sequence number (ASCII only, so characters are bytes).
     */
    public String input(long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("sequence numbers start at 0: " + seq);
        }
        String head = "{\"seq\":" + seq + ",\"fail\":" + fails(seq) + ",\"payload\":\"";
        String tail = "\"}";
        int pad = inputBytes - head.length() - tail.length();
        return head + "x".repeat(pad) + tail;
    }

    /** The body of {@code POST /v1/transactions} for transaction {@code seq}. */
    public String requestBody(long seq) {
        return "{\"definition\":\"" + definitionName() + "\",\"input\":" + input(seq) + "}";
    }

    /** The valid names, for error messages: {@code S3, S3-comp, S3-11KB, S10}. */
    public static String validNames() {
        return Arrays.stream(values()).map(Workload::label).collect(Collectors.joining(", "));
    }

    /** The workload with this label, ignoring case. */
    public static Workload named(String name) {
        String n = name == null ? "" : name.trim();
        for (Workload w : values()) {
            if (w.label.equalsIgnoreCase(n)) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown workload '" + n + "'; valid workloads: " + validNames());
    }

    /** A comma-separated list of labels, in the given order, duplicates dropped. */
    public static List<Workload> parseList(String list) {
        Set<Workload> workloads = new LinkedHashSet<>();
        for (String name : list.split(",")) {
            if (!name.isBlank()) {
                workloads.add(named(name));
            }
        }
        if (workloads.isEmpty()) {
            throw new IllegalArgumentException("no workload given; valid workloads: " + validNames());
        }
        return List.copyOf(workloads);
    }

    /** What {@code --steps N} stands for: the workload {@code S<N>} (S3 or S10). */
    public static Workload withSteps(int steps) {
        try {
            return named("S" + steps);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--steps " + steps + " has no workload; --steps picks S<n>, and the "
                    + "valid workloads are " + validNames());
        }
    }
}
