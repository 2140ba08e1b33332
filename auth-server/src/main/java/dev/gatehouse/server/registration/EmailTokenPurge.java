package dev.gatehouse.server.registration;

import java.time.Clock;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Deletes e-mail links past their lifetime, on the schedule of the other expired state
 * ({@code gatehouse.server.purge-interval}). One idempotent {@code DELETE}, safe on several nodes at once. An
 * expired link is refused whether or not its row is still there; the purge only keeps the table small.
 */
final class EmailTokenPurge {

    private static final Logger log = LoggerFactory.getLogger(EmailTokenPurge.class);

    private final EmailTokens tokens;
    private final Clock clock;

    EmailTokenPurge(EmailTokens tokens, Clock clock) {
        this.tokens = Objects.requireNonNull(tokens, "tokens must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /**
     * Runs one purge.
     *
     * @return how many links were deleted
     */
    @Scheduled(
            fixedDelayString = "${gatehouse.server.purge-interval:15m}",
            initialDelayString = "${gatehouse.server.purge-interval:15m}")
    int purge() {
        int deleted = tokens.purgeExpired(clock.instant());
        if (deleted > 0) {
            log.info("purged {} expired e-mail links", deleted);
        }
        return deleted;
    }
}
