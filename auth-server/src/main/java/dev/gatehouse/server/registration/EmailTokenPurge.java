package dev.gatehouse.server.registration;

import dev.gatehouse.server.users.JdbcUserStore;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Deletes e-mail links past their lifetime, and the self-registered accounts whose verification link expired unused,
 * on the schedule of the other expired state ({@code gatehouse.server.purge-interval}). Idempotent deletes, safe on
 * several nodes at once. An expired link is refused whether or not its row is still there.
 */
final class EmailTokenPurge {

    private static final Logger log = LoggerFactory.getLogger(EmailTokenPurge.class);

    private final EmailTokens tokens;
    private final JdbcUserStore users;
    private final Clock clock;

    EmailTokenPurge(EmailTokens tokens, JdbcUserStore users, Clock clock) {
        this.tokens = Objects.requireNonNull(tokens, "tokens must not be null");
        this.users = Objects.requireNonNull(users, "users must not be null");
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
        Instant now = clock.instant();
        // A registration whose link expired unused goes too, so its address is free again; a verified or enabled
        // account never does (the store's condition), whatever its links.
        int registrations = 0;
        for (String username : tokens.expiredVerifications(now)) {
            if (users.deleteUnverifiedRegistration(username)) {
                registrations++;
            }
        }
        int deleted = tokens.purgeExpired(now);
        if (deleted > 0) {
            log.info("purged {} expired e-mail links and {} registrations never verified", deleted, registrations);
        }
        return deleted;
    }
}
