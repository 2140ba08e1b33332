package dev.gatehouse.server.account;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Times as the account pages show them: ISO date and minute, in UTC, the same in every language. */
final class Times {

    private static final DateTimeFormatter UTC =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private Times() {}

    /** The time, or an empty string when unknown (the page then shows its own word). */
    static String utc(@Nullable Instant at) {
        return at == null ? "" : UTC.format(at);
    }
}
