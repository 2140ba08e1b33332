package dev.gatehouse.server.registration;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The single-use links the e-mail flows send, in {@code gh_email_token} (its one owner). A token is 256 random bits
 * (base64url, 43 characters); only its SHA-256 is stored, so a copy of the table opens no link. Issuing a link for a
 * user and purpose withdraws that user's earlier ones for the purpose: only the newest link works. Redeeming deletes
 * the row first and succeeds only for the request whose delete took it, so a link works once even when two nodes
 * are asked at the same moment.
 */
final class EmailTokens {

    /** What a link is for. */
    enum Purpose {
        /** Verifies a registration's address. */
        VERIFY,
        /** Resets a forgotten password. */
        RESET,
        /** Confirms a new address. */
        CHANGE;

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a presented link came to. */
    sealed interface Redemption permits Redeemed, Expired, Unknown {}

    /**
     * A valid link (consumed by {@link #redeem}, still usable after {@link #check}).
     *
     * @param username the user it was issued for
     * @param newEmail for {@link Purpose#CHANGE}, the address to apply; otherwise {@code null}
     */
    record Redeemed(String username, @Nullable String newEmail) implements Redemption {}

    /** A link past its lifetime (and now deleted). */
    record Expired() implements Redemption {}

    /** A link that never existed, was used already, or was replaced by a newer one. */
    record Unknown() implements Redemption {}

    private static final int TOKEN_BYTES = 32;
    private static final int TOKEN_LENGTH = 43;

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final SecureRandom random;

    EmailTokens(JdbcTemplate jdbc, Clock clock, SecureRandom random) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.random = Objects.requireNonNull(random, "random must not be null");
    }

    /**
     * Issues a link, withdrawing the user's earlier ones for the same purpose.
     *
     * @param purpose what it is for
     * @param username the user
     * @param newEmail the address to apply ({@link Purpose#CHANGE} only)
     * @param lifetime how long it works
     * @return the token to put in the link; never stored, never logged
     */
    String issue(Purpose purpose, String username, @Nullable String newEmail, Duration lifetime) {
        Objects.requireNonNull(purpose, "purpose must not be null");
        Objects.requireNonNull(username, "username must not be null");
        byte[] raw = new byte[TOKEN_BYTES];
        random.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Instant now = clock.instant();
        withdraw(username, purpose);
        jdbc.update(
                "INSERT INTO gh_email_token (token_hash, purpose, username, new_email, expires_at, created_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?)",
                hash(token),
                purpose.id(),
                username,
                newEmail,
                Timestamp.from(now.plus(lifetime)),
                Timestamp.from(now));
        return token;
    }

    /**
     * Whether a link would work, without using it (the page that asks for a new password).
     *
     * @param purpose what it must be for
     * @param token the token from the link
     * @return redeemed (not consumed), expired or unknown
     */
    Redemption check(Purpose purpose, @Nullable String token) {
        if (token == null || !wellFormed(token)) {
            return new Unknown();
        }
        List<Redemption> found = jdbc.query(
                "SELECT username, new_email, expires_at FROM gh_email_token WHERE token_hash = ? AND purpose = ?",
                (rs, n) -> rs.getTimestamp(3).toInstant().isAfter(clock.instant())
                        ? new Redeemed(rs.getString(1), rs.getString(2))
                        : new Expired(),
                hash(token),
                purpose.id());
        return found.isEmpty() ? new Unknown() : found.get(0);
    }

    /**
     * Uses a link: it works at most once.
     *
     * @param purpose what it must be for
     * @param token the token from the link
     * @return redeemed (and deleted), expired (and deleted) or unknown
     */
    Redemption redeem(Purpose purpose, @Nullable String token) {
        Redemption seen = check(purpose, token);
        if (token == null || seen instanceof Unknown) {
            return seen;
        }
        // The delete decides: of two requests that both saw the row, only one deletes it.
        int deleted = jdbc.update(
                "DELETE FROM gh_email_token WHERE token_hash = ? AND purpose = ?", hash(token), purpose.id());
        return deleted == 1 ? seen : new Unknown();
    }

    /**
     * Withdraws a user's links for a purpose.
     *
     * @param username the user
     * @param purpose the purpose
     */
    void withdraw(String username, Purpose purpose) {
        jdbc.update("DELETE FROM gh_email_token WHERE username = ? AND purpose = ?", username, purpose.id());
    }

    /**
     * Deletes links past their lifetime (the scheduled purge).
     *
     * @param now the current time
     * @return how many were deleted
     */
    int purgeExpired(Instant now) {
        return jdbc.update("DELETE FROM gh_email_token WHERE expires_at <= ?", Timestamp.from(now));
    }

    /**
     * The users whose registration link expired unused (read before {@link #purgeExpired} deletes the rows).
     *
     * @param now the current time
     * @return their names
     */
    List<String> expiredVerifications(Instant now) {
        return jdbc.queryForList(
                "SELECT username FROM gh_email_token WHERE purpose = ? AND expires_at <= ?",
                String.class,
                Purpose.VERIFY.id(),
                Timestamp.from(now));
    }

    /**
     * How many links a user has (tests and the mail-failure checks).
     *
     * @param username the user
     * @return the count
     */
    int count(String username) {
        Integer n =
                jdbc.queryForObject("SELECT COUNT(*) FROM gh_email_token WHERE username = ?", Integer.class, username);
        return n == null ? 0 : n;
    }

    private static boolean wellFormed(String token) {
        if (token.length() != TOKEN_LENGTH) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            boolean ok =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** SHA-256 of the token, base64url without padding (43 characters). */
    static String hash(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }
}
