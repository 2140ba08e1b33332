package dev.gatehouse.server.maintenance;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Deletes authorizations whose every code and token has expired (plus a grace period), pending authorization rows
 * with no expiry at all once they are older than {@link #PENDING_LIFETIME} (plus the grace period), and forgotten
 * consumed refresh tokens past their expiry. Spring Authorization Server never deletes expired rows itself. Safe on
 * several nodes at once: each run is one idempotent {@code DELETE} per kind of row.
 *
 * <p>Pending rows are pushed authorization requests never used (their {@code request_uri} expires after a few
 * minutes, RFC 9126 §2.2, but the row stays) and authorization requests abandoned on the consent page (the sign-in
 * session they belong to times out long before {@link #PENDING_LIFETIME}). They are aged by {@code created_at}
 * (migration V9).
 */
public final class ExpiredStatePurger {

    private static final Logger log = LoggerFactory.getLogger(ExpiredStatePurger.class);

    private static final String[] EXPIRY_COLUMNS = {
        "authorization_code_expires_at",
        "access_token_expires_at",
        "oidc_id_token_expires_at",
        "refresh_token_expires_at",
        "user_code_expires_at",
        "device_code_expires_at"
    };

    /** How long a row with no code or token expiry may be pending before it counts as abandoned. */
    public static final Duration PENDING_LIFETIME = Duration.ofHours(1);

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Duration grace;
    private final String deleteAuthorizations;
    private final String deletePending;

    /**
     * Creates the purger.
     *
     * @param jdbc the JDBC template
     * @param clock the clock
     * @param grace how long past expiry rows are kept
     */
    public ExpiredStatePurger(JdbcTemplate jdbc, Clock clock, Duration grace) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.grace = Objects.requireNonNull(grace, "grace must not be null");
        StringBuilder sql = new StringBuilder("DELETE FROM oauth2_authorization WHERE (");
        // At least one expiry is set (rows with none are pending requests: see deletePending) ...
        for (int i = 0; i < EXPIRY_COLUMNS.length; i++) {
            sql.append(i == 0 ? "" : " OR ").append(EXPIRY_COLUMNS[i]).append(" IS NOT NULL");
        }
        sql.append(")");
        // ... and every one that is set has expired before the cut-off.
        for (String column : EXPIRY_COLUMNS) {
            sql.append(" AND (")
                    .append(column)
                    .append(" IS NULL OR ")
                    .append(column)
                    .append(" < ?)");
        }
        this.deleteAuthorizations = sql.toString();
        StringBuilder pending = new StringBuilder("DELETE FROM oauth2_authorization WHERE created_at < ?");
        for (String column : EXPIRY_COLUMNS) {
            pending.append(" AND ").append(column).append(" IS NULL");
        }
        this.deletePending = pending.toString();
    }

    /**
     * Runs one purge.
     *
     * @return the number of authorization and consumed-token rows deleted
     */
    @Scheduled(
            fixedDelayString = "${gatehouse.purge-interval:15m}",
            initialDelayString = "${gatehouse.purge-interval:15m}")
    public int purge() {
        Timestamp cutoff = Timestamp.from(clock.instant().minus(grace));
        Object[] args = new Object[EXPIRY_COLUMNS.length];
        java.util.Arrays.fill(args, cutoff);
        int authorizations = jdbc.update(deleteAuthorizations, args);
        int pending =
                jdbc.update(deletePending, Timestamp.from(cutoff.toInstant().minus(PENDING_LIFETIME)));
        int consumed = jdbc.update("DELETE FROM gh_consumed_refresh_token WHERE expires_at < ?", cutoff);
        jdbc.update("DELETE FROM gh_revoked_authorization WHERE expires_at < ?", cutoff);
        jdbc.update("DELETE FROM gh_attempt_counter WHERE expires_at < ?", Timestamp.from(clock.instant()));
        if (authorizations + pending + consumed > 0) {
            log.info(
                    "purged {} expired authorizations, {} abandoned pending requests and {} consumed refresh tokens",
                    authorizations,
                    pending,
                    consumed);
        }
        return authorizations + pending + consumed;
    }
}
