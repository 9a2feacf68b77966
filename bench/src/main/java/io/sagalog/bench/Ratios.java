package io.sagalog.bench;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Sagalog's throughput as a fraction of each baseline measured on the same broker and machine. On a shared 2-core
 * box an absolute rate mostly says how fast the box is; "0.03 x a bare durable producer" or "0.5 x an HTTP
 * endpoint that only appends to Kafka" says how much the saga engine itself costs, and stays comparable across
 * machines.
 */
public final class Ratios {
    private Ratios() {
    }

    /** Sagalog's rate against one baseline's. */
    public record Ratio(MeasuredBaseline baseline, double ratio) {
        /** E.g. {@code 0.031 x producer records/s}. */
        public String describe() {
            return format(ratio) + " x " + baseline.display() + " " + baseline.result().unit();
        }
    }

    /**
     * One ratio per baseline that matches the run (same record size as the workload's input, and for the Streams
     * pass-through the same guarantee), in the order given; none where a baseline's rate is not positive.
     */
    public static List<Ratio> of(double sagalogPerSecond, int inputBytes, String guarantee,
                                 List<MeasuredBaseline> baselines) {
        List<Ratio> ratios = new ArrayList<>();
        for (MeasuredBaseline b : baselines) {
            double base = b.result().throughputPerSecond();
            if (b.matches(inputBytes, guarantee) && base > 0 && !Double.isNaN(sagalogPerSecond)) {
                ratios.add(new Ratio(b, sagalogPerSecond / base));
            }
        }
        return ratios;
    }

    /**
     * The two lines of a run: {@code <label>: 410 tx/s = 0.031 x producer records/s, ...} and the same for steps/s
     * (participant calls, a closer match to a baseline's records than whole transactions). Empty when no baseline
     * matches.
     */
    public static List<String> lines(BenchResult r, List<MeasuredBaseline> baselines) {
        int inputBytes = Workload.named(r.workload()).inputBytes();
        List<Ratio> tx = of(r.completedPerSecond(), inputBytes, r.guarantee(), baselines);
        if (tx.isEmpty()) {
            return List.of();
        }
        List<Ratio> steps = of(r.stepsPerSecond(), inputBytes, r.guarantee(), baselines);
        String label = SummaryTable.label(r);
        return List.of(
                line(label + ": ", r.completedPerSecond(), "tx/s", tx),
                line(" ".repeat(label.length() + 2), r.stepsPerSecond(), "steps/s", steps));
    }

    private static String line(String prefix, double perSecond, String unit, List<Ratio> ratios) {
        StringBuilder s = new StringBuilder(prefix).append(String.format(Locale.ROOT, "%.0f %s = ", perSecond, unit));
        for (int i = 0; i < ratios.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(ratios.get(i).describe());
        }
        return s.toString();
    }

    /** Two significant digits, no exponent: 0.031, 0.5, 1.2, 12. */
    public static String format(double ratio) {
        if (Double.isNaN(ratio) || Double.isInfinite(ratio)) {
            return "-";
        }
        if (ratio == 0) {
            return "0";
        }
        return new BigDecimal(ratio).round(new MathContext(2)).stripTrailingZeros().toPlainString();
    }
}
