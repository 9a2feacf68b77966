package io.sagalog.bench;

import java.util.List;
import java.util.Locale;

/**
 * Draws latency over time as a standalone SVG file. A picture of p50 and p99 second by second, with several runs
 * (say at-least-once against exactly-once) on the same axes, shows at a glance what a table of percentiles hides:
 * spikes, ramps, and whether a difference is steady or comes from a few bad seconds. Plain SVG text, written by
 * hand, because a plotting library for one chart is not worth its weight in the shaded jar, and any browser opens
 * the result.
 */
public final class SvgPlot {
    private static final int WIDTH = 960;
    private static final int HEIGHT = 540;
    private static final int LEFT = 80;
    private static final int RIGHT = 230;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
            "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

    private SvgPlot() {
    }

    /**
     * One chart: milliseconds up, seconds of the measured window across, two lines per run (p99 solid, p50
     * dashed, one colour per run) and a legend. Seconds without completions are skipped, so a line bridges them.
     * Each line is one {@code <polyline>} carrying {@code data-series="<run> p50|p99"}.
     */
    public static String latencyOverTime(List<LatencyTimeline.Named> runs, String title) {
        int seconds = 1;
        double maxMs = 0;
        for (LatencyTimeline.Named run : runs) {
            seconds = Math.max(seconds, run.timeline().seconds().size());
            for (LatencyTimeline.Point p : run.timeline().seconds()) {
                if (p.count() > 0) {
                    maxMs = Math.max(maxMs, Math.max(p.p99Ms(), p.p50Ms()));
                }
            }
        }
        double yStep = niceStep(Math.max(maxMs, 1) / 5);
        double yMax = Math.ceil(Math.max(maxMs, 1) / yStep) * yStep;
        double xStep = Math.max(1, niceStep(seconds / 10.0));
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        Scale scale = new Scale(seconds, yMax, plotW, plotH);

        StringBuilder svg = new StringBuilder(4096);
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
                .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append("<text x=\"").append(WIDTH / 2).append("\" y=\"28\" text-anchor=\"middle\" font-size=\"16\">")
                .append(escape(title)).append("</text>\n");

        // Grid and tick labels.
        svg.append("<g stroke=\"#e0e0e0\" stroke-width=\"1\">\n");
        long yTicks = Math.round(yMax / yStep);
        long xTicks = (long) Math.floor(seconds / xStep + 1e-9);
        for (long i = 0; i <= yTicks; i++) {
            svg.append(line(LEFT, scale.y(i * yStep), LEFT + plotW, scale.y(i * yStep)));
        }
        for (long i = 0; i <= xTicks; i++) {
            svg.append(line(scale.x(i * xStep), TOP, scale.x(i * xStep), TOP + plotH));
        }
        svg.append("</g>\n<g fill=\"#333\">\n");
        for (long i = 0; i <= yTicks; i++) {
            svg.append(text(LEFT - 8, scale.y(i * yStep) + 4, "end", number(i * yStep)));
        }
        for (long i = 0; i <= xTicks; i++) {
            svg.append(text(scale.x(i * xStep), TOP + plotH + 18, "middle", number(i * xStep)));
        }
        svg.append("</g>\n");
        // Axes and their labels.
        svg.append("<g stroke=\"#333\" stroke-width=\"1.5\">\n")
                .append(line(LEFT, TOP, LEFT, TOP + plotH))
                .append(line(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH))
                .append("</g>\n");
        svg.append(text(LEFT + plotW / 2, HEIGHT - 15, "middle", "time in measured window (seconds)"));
        svg.append("<text x=\"20\" y=\"").append(fmt(TOP + plotH / 2)).append("\" text-anchor=\"middle\" transform=\"rotate(-90 20 ")
                .append(fmt(TOP + plotH / 2)).append(")\">latency (ms)</text>\n");

        // Series and legend.
        double legendY = TOP + 10;
        double legendX = LEFT + plotW + 20;
        for (int i = 0; i < runs.size(); i++) {
            LatencyTimeline.Named run = runs.get(i);
            String color = COLORS[i % COLORS.length];
            for (boolean p99 : new boolean[] {true, false}) {
                String series = run.name() + (p99 ? " p99" : " p50");
                String dash = p99 ? "" : " stroke-dasharray=\"6 4\"";
                String width = p99 ? "2" : "1.5";
                svg.append("<polyline data-series=\"").append(escape(series)).append("\" fill=\"none\" stroke=\"")
                        .append(color).append("\" stroke-width=\"").append(width).append('"').append(dash)
                        .append(" points=\"");
                boolean first = true;
                for (LatencyTimeline.Point p : run.timeline().seconds()) {
                    double ms = p99 ? p.p99Ms() : p.p50Ms();
                    if (p.count() == 0 || Double.isNaN(ms)) {
                        continue;
                    }
                    svg.append(first ? "" : " ").append(fmt(scale.x(p.second() + 0.5))).append(',')
                            .append(fmt(scale.y(Math.min(ms, yMax))));
                    first = false;
                }
                svg.append("\"/>\n");
                svg.append("<line x1=\"").append(fmt(legendX)).append("\" y1=\"").append(fmt(legendY))
                        .append("\" x2=\"").append(fmt(legendX + 28)).append("\" y2=\"").append(fmt(legendY))
                        .append("\" stroke=\"").append(color).append("\" stroke-width=\"").append(width).append('"')
                        .append(dash).append("/>\n");
                svg.append(text(legendX + 36, legendY + 4, "start", series));
                legendY += 20;
            }
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** A round step (1, 2 or 5 times a power of ten) at least {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * power >= raw * (1 - 1e-9)) {
                return m * power;
            }
        }
        return 10 * power;
    }

    private record Scale(double xMax, double yMax, double w, double h) {
        double x(double seconds) {
            return LEFT + seconds / xMax * w;
        }

        double y(double ms) {
            return TOP + h - ms / yMax * h;
        }
    }

    private static String line(double x1, double y1, double x2, double y2) {
        return "<line x1=\"" + fmt(x1) + "\" y1=\"" + fmt(y1) + "\" x2=\"" + fmt(x2) + "\" y2=\"" + fmt(y2) + "\"/>\n";
    }

    private static String text(double x, double y, String anchor, String content) {
        return "<text x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" text-anchor=\"" + anchor + "\">" + escape(content)
                + "</text>\n";
    }

    private static String number(double v) {
        return java.math.BigDecimal.valueOf(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
