package dev.gatehouse.server.users;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Ends users' browser sign-ins on every node. A servlet session is held by the node that created it, so ending it
 * there is not enough: {@link #endAll} records, in the shared database, that every sign-in of the user before now is
 * over, and {@link #stillValid} (asked for each request a signed-in browser makes) refuses such a sign-in, as it
 * refuses one of a user who is disabled or no longer exists.
 */
public final class SignInSessions {

    private final JdbcTemplate jdbc;
    private final Clock clock;

    /**
     * Creates the store.
     *
     * @param jdbc the JDBC template
     * @param clock the current time
     */
    public SignInSessions(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /**
     * Ends every sign-in of the user made before now (password reset, MFA reset, revocation, disabling).
     *
     * @param username the user
     */
    public void endAll(String username) {
        Objects.requireNonNull(username, "username must not be null");
        Timestamp now = Timestamp.from(clock.instant());
        for (int attempt = 0; attempt < 3; attempt++) {
            if (jdbc.update("UPDATE gh_sign_in_revocation SET not_before = ? WHERE username = ?", now, username) > 0) {
                return;
            }
            try {
                jdbc.update("INSERT INTO gh_sign_in_revocation (username, not_before) VALUES (?, ?)", username, now);
                return;
            } catch (DuplicateKeyException raced) {
                // another node inserted the row between our update and insert: update it on the next pass
            }
        }
        throw new IllegalStateException("could not record the end of a user's sign-ins");
    }

    /**
     * Whether a sign-in may go on: the user exists, is enabled, and signed in after the last {@link #endAll}.
     *
     * @param username the signed-in user
     * @param signedInAt when the sign-in happened (its password factor's time)
     * @return {@code true} if the session may be used
     */
    public boolean stillValid(String username, Instant signedInAt) {
        List<Boolean> valid = jdbc.query(
                "SELECT u.enabled, r.not_before FROM gh_user u"
                        + " LEFT JOIN gh_sign_in_revocation r ON r.username = u.username WHERE u.username = ?",
                (rs, n) -> {
                    Timestamp notBefore = rs.getTimestamp(2);
                    return rs.getBoolean(1) && (notBefore == null || !signedInAt.isBefore(notBefore.toInstant()));
                },
                username);
        return valid.size() == 1 && valid.get(0);
    }
}
