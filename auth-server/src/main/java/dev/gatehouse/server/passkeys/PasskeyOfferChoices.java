package dev.gatehouse.server.passkeys;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.Objects;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The users who asked not to be offered a passkey after a password sign-in again ("Don't ask again" on the offer page,
 * {@code gatehouse.server.passkeys.offer-after-sign-in}), in {@code gh_passkey_offer_declined}, shared by every node.
 * "Not now" stores nothing: the offer comes back at the next sign-in.
 */
public final class PasskeyOfferChoices {

    private final JdbcTemplate jdbc;
    private final Clock clock;

    PasskeyOfferChoices(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /**
     * Whether the user asked not to be offered a passkey again.
     *
     * @param username the user
     * @return {@code true} if the user declined for good
     */
    public boolean declined(String username) {
        Integer n = jdbc.queryForObject(
                "SELECT COUNT(*) FROM gh_passkey_offer_declined WHERE username = ?", Integer.class, username);
        return n != null && n > 0;
    }

    /**
     * Remembers that the user does not want the offer again; a second answer keeps the first one's time.
     *
     * @param username the user (an existing one: the row goes with the user)
     */
    public void decline(String username) {
        Objects.requireNonNull(username, "username must not be null");
        try {
            // The same statement on H2 and PostgreSQL; a parallel answer that inserted first wins.
            jdbc.update(
                    "INSERT INTO gh_passkey_offer_declined (username, declined_at) SELECT ?, ? WHERE NOT EXISTS"
                            + " (SELECT 1 FROM gh_passkey_offer_declined WHERE username = ?)",
                    username,
                    Timestamp.from(clock.instant()),
                    username);
        } catch (DuplicateKeyException alreadyDeclined) {
            // Declined by a parallel request: the choice is stored.
        }
    }
}
