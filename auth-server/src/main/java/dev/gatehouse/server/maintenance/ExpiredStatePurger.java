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
 * Deletes authorizations whose every code and token has expired (plus a grace period), and forgotten consumed
 * refresh tokens past their expiry. Spring Authorization Server never deletes expired rows itself. Safe on several
 * nodes at once: each run is one idempotent {@code DELETE} per table.
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

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Duration grace;
    private final String deleteAuthorizations;

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
        // At least one expiry is set (rows with none are authorization requests awaiting consent; they carry a
        // state and are removed by Spring Authorization Server when the consent completes or is refused) ...
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
    }

    /**
     * Runs one purge.
     *
     * @return the number of rows deleted
     */
    @Scheduled(
            fixedDelayString = "${gatehouse.purge-interval:15m}",
            initialDelayString = "${gatehouse.purge-interval:15m}")
    public int purge() {
        Timestamp cutoff = Timestamp.from(clock.instant().minus(grace));
        Object[] args = new Object[EXPIRY_COLUMNS.length];
        java.util.Arrays.fill(args, cutoff);
        int authorizations = jdbc.update(deleteAuthorizations, args);
        int consumed = jdbc.update("DELETE FROM gh_consumed_refresh_token WHERE expires_at < ?", cutoff);
        jdbc.update("DELETE FROM gh_revoked_authorization WHERE expires_at < ?", cutoff);
        jdbc.update("DELETE FROM gh_attempt_counter WHERE expires_at < ?", Timestamp.from(clock.instant()));
        if (authorizations + consumed > 0) {
            log.info("purged {} expired authorizations and {} consumed refresh tokens", authorizations, consumed);
        }
        return authorizations + consumed;
    }
}
