package dev.gatehouse.server.maintenance;

import dev.gatehouse.server.tokens.StoredAuthorizations;
import dev.gatehouse.server.tokens.UsedProofIds;
import dev.gatehouse.server.users.JdbcAttemptStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Deletes authorizations whose every code and token has expired (plus a grace period), pending authorization rows
 * with no expiry at all once they are older than {@link #PENDING_LIFETIME} (plus the grace period), and forgotten
 * consumed refresh tokens past their expiry, and used DPoP proof ids past their acceptance window. Spring
 * Authorization Server never deletes expired rows itself. Safe on several nodes at once: each run is one idempotent
 * {@code DELETE} per kind of row. The tables' owners hold the SQL ({@link StoredAuthorizations}, {@link
 * JdbcAttemptStore}, {@link UsedProofIds}); this class only schedules and reports.
 *
 * <p>Pending rows are pushed authorization requests never used (their {@code request_uri} expires after a few
 * minutes, RFC 9126 §2.2, but the row stays) and authorization requests abandoned on the consent page (the sign-in
 * session they belong to times out long before {@link #PENDING_LIFETIME}). They are aged by {@code created_at}
 * (migration V9).
 */
public final class ExpiredStatePurger {

    private static final Logger log = LoggerFactory.getLogger(ExpiredStatePurger.class);

    /** How long a row with no code or token expiry may be pending before it counts as abandoned. */
    public static final Duration PENDING_LIFETIME = StoredAuthorizations.PENDING_LIFETIME;

    private final StoredAuthorizations authorizations;
    private final JdbcAttemptStore attempts;
    private final UsedProofIds usedProofs;
    private final Clock clock;
    private final Duration grace;

    /**
     * Creates the purger.
     *
     * @param authorizations the owner of the authorization tables
     * @param attempts the owner of the attempt counters
     * @param usedProofs the owner of the used DPoP proof ids
     * @param clock the clock
     * @param grace how long past expiry rows are kept
     */
    public ExpiredStatePurger(
            StoredAuthorizations authorizations,
            JdbcAttemptStore attempts,
            UsedProofIds usedProofs,
            Clock clock,
            Duration grace) {
        this.authorizations = Objects.requireNonNull(authorizations, "authorizations must not be null");
        this.attempts = Objects.requireNonNull(attempts, "attempts must not be null");
        this.usedProofs = Objects.requireNonNull(usedProofs, "usedProofs must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.grace = Objects.requireNonNull(grace, "grace must not be null");
    }

    /**
     * Runs one purge.
     *
     * @return the number of authorization and consumed-token rows deleted
     */
    @Scheduled(
            fixedDelayString = "${gatehouse.server.purge-interval:15m}",
            initialDelayString = "${gatehouse.server.purge-interval:15m}")
    public int purge() {
        Instant now = clock.instant();
        Instant cutoff = now.minus(grace);
        int expired = authorizations.purgeExpired(cutoff);
        int pending = authorizations.purgePending(cutoff.minus(PENDING_LIFETIME));
        int consumed = authorizations.purgeReuseRecords(cutoff);
        attempts.purgeExpired(now);
        // Past its expiry a proof is refused as too old (iat), so its row is no longer needed: no grace.
        usedProofs.purgeExpired(now);
        if (expired + pending + consumed > 0) {
            log.info(
                    "purged {} expired authorizations, {} abandoned pending requests and {} consumed refresh tokens",
                    expired,
                    pending,
                    consumed);
        }
        return expired + pending + consumed;
    }
}
