package dev.gatehouse.server.transport;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * The cluster-wide cap on sessions nobody has signed in with ({@code gatehouse.server.transport.max-anonymous-sessions}):
 * every few seconds, on every node, the oldest anonymous sessions beyond the cap are deleted. A session is anonymous
 * while Spring Session has no principal name for it ({@code PRINCIPAL_NAME} is filled from the security context as
 * soon as the password step succeeds), so a signed-in session, or one between its password and TOTP steps, is never
 * dropped. A visitor whose session was dropped reloads the sign-in form.
 *
 * <p>Before sessions were shared, a node dropped the oldest anonymous session the moment a new one was made (a
 * session listener); Spring Session's JDBC store publishes no session events, and a delete per new session would
 * add a write to every first visit. Between two runs the table may exceed the cap by what arrives in that time, a
 * few rows of about a kilobyte each per anonymous request (and those requests pass the rate limits). The delete is
 * idempotent, so every node may run it: concurrent runs delete the same rows once.
 */
public final class AnonymousSessionCap {

    private static final Logger log = LoggerFactory.getLogger(AnonymousSessionCap.class);

    /**
     * Newest first by creation, the id breaking ties; everything past the first {@code cap} rows goes. Standard SQL
     * ({@code OFFSET ... ROWS}) that H2 and PostgreSQL both run; the attributes go with their session ({@code ON
     * DELETE CASCADE}).
     */
    private static final String DELETE_BEYOND_CAP = "DELETE FROM SPRING_SESSION WHERE PRIMARY_ID IN ("
            + "SELECT PRIMARY_ID FROM SPRING_SESSION WHERE PRINCIPAL_NAME IS NULL "
            + "ORDER BY CREATION_TIME DESC, PRIMARY_ID DESC OFFSET ? ROWS)";

    private final JdbcTemplate jdbc;
    private final int cap;

    AnonymousSessionCap(JdbcTemplate jdbc, int cap) {
        this.jdbc = jdbc;
        if (cap < 1) {
            throw new IllegalArgumentException("cap must be at least 1");
        }
        this.cap = cap;
    }

    /**
     * Deletes the oldest anonymous sessions beyond the cap. Scheduled every five seconds; a failed run (the database
     * away, a deadlock with another node's run) is logged and the next run tries again.
     *
     * @return how many sessions were deleted
     */
    @Scheduled(fixedDelay = 5, initialDelay = 5, timeUnit = TimeUnit.SECONDS)
    public int enforce() {
        try {
            int deleted = jdbc.update(DELETE_BEYOND_CAP, cap);
            if (deleted > 0) {
                log.info("anonymous session cap {}: dropped the {} oldest anonymous sessions", cap, deleted);
            }
            return deleted;
        } catch (DataAccessException e) {
            log.warn(
                    "anonymous session cap not applied this time: {}",
                    e.getClass().getSimpleName());
            return 0;
        }
    }

    /**
     * The cap.
     *
     * @return the most anonymous sessions kept
     */
    public int cap() {
        return cap;
    }
}
