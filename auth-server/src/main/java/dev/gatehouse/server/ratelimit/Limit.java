package dev.gatehouse.server.ratelimit;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.springframework.boot.convert.DurationStyle;

/**
 * One token bucket: at most {@code capacity} requests at once, refilled continuously at {@code capacity} per
 * {@code period} (Bucket4j's greedy refill). Written in configuration as {@code <capacity>/<period>}, e.g.
 * {@code 300/10s} (a burst of 300, then 30 per second), or {@code off} for no limit.
 *
 * @param capacity the burst size and the number of requests refilled per period; {@code 0} only for {@link #OFF}
 * @param period the time in which an empty bucket refills completely; {@link Duration#ZERO} only for {@link #OFF}
 */
public record Limit(long capacity, Duration period) {

    /** No limit. */
    public static final Limit OFF = new Limit(0, Duration.ZERO);

    /**
     * Checks the values.
     *
     * @param capacity the burst size
     * @param period the refill period
     */
    public Limit {
        Objects.requireNonNull(period, "period must not be null");
        boolean off = capacity == 0 && period.isZero();
        if (!off && (capacity < 1 || period.toMillis() < 1)) {
            throw new IllegalArgumentException(
                    "a rate limit needs a capacity of at least 1 and a period of at least 1ms, e.g. 300/10s, or 'off'");
        }
    }

    /**
     * Parses {@code <capacity>/<period>} (period in Spring Boot's duration syntax: {@code 10s}, {@code 1m},
     * {@code PT10S}) or {@code off}. Spring's conversion service finds this method when binding properties.
     *
     * @param text the limit as written in configuration
     * @return the limit
     * @throws IllegalArgumentException if the text is not of that form
     */
    public static Limit valueOf(String text) {
        Objects.requireNonNull(text, "text must not be null");
        String s = text.strip();
        if (s.toLowerCase(Locale.ROOT).equals("off")) {
            return OFF;
        }
        int slash = s.indexOf('/');
        if (slash < 1 || slash == s.length() - 1) {
            throw new IllegalArgumentException(
                    "a rate limit is written <capacity>/<period>, e.g. 300/10s, or 'off'; got '" + s + "'");
        }
        long capacity;
        try {
            capacity = Long.parseLong(s.substring(0, slash).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "the capacity of a rate limit must be a whole number, e.g. 300/10s; got '" + s + "'", e);
        }
        return new Limit(
                capacity, DurationStyle.detectAndParse(s.substring(slash + 1).strip()));
    }

    /**
     * Whether this is {@link #OFF}.
     *
     * @return {@code true} when requests are not limited
     */
    public boolean isOff() {
        return capacity == 0;
    }

    @Override
    public String toString() {
        return isOff() ? "off" : capacity + "/" + DurationStyle.SIMPLE.print(period);
    }
}
