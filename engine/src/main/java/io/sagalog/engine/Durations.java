package io.sagalog.engine;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations as people write them in definitions and flags: {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 7d},
 * or ISO-8601 {@code PT10S}. Durations are never negative, and never longer than {@link #MAX} (about 100 years), so
 * adding one to a point in time cannot overflow; {@link #parseWithin} checks a narrower range where one applies.
 */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d{1,18})(ms|s|m|h|d)");
    /** The longest duration any text may stand for. */
    public static final Duration MAX = Duration.ofDays(36_500);

    private Durations() {}

    /** @throws IllegalArgumentException with a message that shows the accepted forms */
    public static Duration parse(String text) {
        String t = text.trim();
        Duration d;
        Matcher m = SHORT.matcher(t);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } else if (t.matches("\\d{19,}(ms|s|m|h|d)")) {
                throw new ArithmeticException("too long");
            } else {
                d = Duration.parse(t);
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + clip(text) + "' is too long; a duration is at most " + MAX.toDays()
                    + " days");
        } catch (DateTimeParseException e) {
            if (e.getCause() instanceof ArithmeticException) {
                throw new IllegalArgumentException("'" + clip(text) + "' is too long; a duration is at most "
                        + MAX.toDays() + " days");
            }
            throw new IllegalArgumentException("'" + clip(text) + "' is not a duration; write e.g. 250ms, 10s, 5m, 1h or PT10S");
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException("'" + clip(text) + "' is negative; a duration is 0 or longer");
        }
        if (d.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("'" + clip(text) + "' is too long; a duration is at most " + MAX.toDays()
                    + " days");
        }
        return d;
    }

    /**
     * Parses and checks that {@code min <= d <= max}.
     *
     * @throws IllegalArgumentException saying the allowed range
     */
    public static Duration parseWithin(String text, Duration min, Duration max) {
        Duration d;
        try {
            d = parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; allowed: " + range(min, max));
        }
        return within(d, min, max, "'" + clip(text) + "'");
    }

    /** Checks a duration given as a number of milliseconds. */
    public static Duration ofMillisWithin(long millis, Duration min, Duration max) {
        if (millis < 0) {
            throw new IllegalArgumentException(millis + " ms is negative; allowed: " + range(min, max));
        }
        if (millis > max.toMillis()) {
            throw new IllegalArgumentException(millis + " ms is too long; allowed: " + range(min, max));
        }
        return within(Duration.ofMillis(millis), min, max, millis + " ms");
    }

    private static Duration within(Duration d, Duration min, Duration max, String shown) {
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(shown + " is out of range; allowed: " + range(min, max));
        }
        return d;
    }

    /** The range as people write it, e.g. {@code 1ms to 24h}. */
    public static String range(Duration min, Duration max) {
        return format(min) + " to " + format(max);
    }

    /** A duration in the shortest short form that is exact: {@code 250ms}, {@code 10s}, {@code 5m}, {@code 30d} as {@code 720h}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        } else if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        } else if (ms % 1000 == 0 && ms > 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    private static String clip(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
