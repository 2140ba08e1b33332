package dev.gatehouse.server.dynamicclients;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Registration access tokens (RFC 7592 §1): one per dynamically registered client, returned once at registration,
 * presented as a bearer token to read, update or delete that registration. Stored only as SHA-256 hashes ({@code
 * gh_registration_access_token}), unlike Spring Authorization Server's own OpenID Connect registration access tokens,
 * which are access tokens whose full value its authorization table keeps. A client's row goes with the client
 * (foreign key).
 */
final class RegistrationAccessTokens {

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final SecureRandom random;

    RegistrationAccessTokens(JdbcTemplate jdbc, Clock clock, SecureRandom random) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.random = Objects.requireNonNull(random, "random must not be null");
    }

    /**
     * How many dynamically registered clients exist: one token row each, removed with its client.
     *
     * @return the count
     */
    int clients() {
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM gh_registration_access_token", Integer.class);
        return n == null ? 0 : n;
    }

    /**
     * Records who registered a client, in the caller's transaction, and counts that registrant's live clients.
     *
     * @param token the new client's registration access token
     * @param registrant the registrant's address key (IPv6: its /64)
     * @return how many dynamically registered clients that registrant has now, the new one included
     */
    int recordRegistrant(String token, String registrant) {
        jdbc.update(
                "UPDATE gh_registration_access_token SET registrant = ? WHERE token_hash = ?",
                registrant,
                TokenHashes.hash(token));
        Integer n = jdbc.queryForObject(
                "SELECT COUNT(*) FROM gh_registration_access_token WHERE registrant = ?", Integer.class, registrant);
        return n == null ? 0 : n;
    }

    /**
     * Issues the token of a client just saved, in the caller's transaction.
     *
     * @param registeredClientId the registration id (not the {@code client_id})
     * @return the token, to return to the client once
     */
    String issue(String registeredClientId) {
        String token = TokenHashes.newToken(random);
        jdbc.update(
                "INSERT INTO gh_registration_access_token (registered_client_id, token_hash, issued_at) VALUES (?, ?, ?)",
                registeredClientId,
                TokenHashes.hash(token),
                Timestamp.from(clock.instant()));
        return token;
    }

    /**
     * Replaces a client's token (RFC 7592 §3), in the caller's transaction: the old one stops working. Atomic: only
     * the request that still holds the current token replaces it, so two requests with the same token cannot both
     * succeed.
     *
     * @param registeredClientId the registration id
     * @param current the presented token, which must still be the stored one
     * @return the new token, to return to the client once, or {@code null} if {@code current} is no longer the
     *     client's token (another request rotated it first)
     */
    @Nullable
    String rotate(String registeredClientId, String current) {
        String token = TokenHashes.newToken(random);
        int updated = jdbc.update(
                "UPDATE gh_registration_access_token SET token_hash = ?, issued_at = ? WHERE registered_client_id = ?"
                        + " AND token_hash = ?",
                TokenHashes.hash(token),
                Timestamp.from(clock.instant()),
                registeredClientId,
                TokenHashes.hash(current));
        return updated == 1 ? token : null;
    }

    /**
     * Whether {@code token} is the registration access token of the registration {@code registeredClientId}, compared
     * in constant time.
     *
     * @param registeredClientId the registration id
     * @param token the presented token
     * @return {@code true} if it is
     */
    boolean matches(String registeredClientId, @Nullable String token) {
        if (token == null) {
            return false;
        }
        List<String> stored = jdbc.queryForList(
                "SELECT token_hash FROM gh_registration_access_token WHERE registered_client_id = ?",
                String.class,
                registeredClientId);
        if (stored.isEmpty()) {
            // Same work either way: a client registered otherwise cannot be told apart by timing.
            MessageDigest.isEqual(new byte[43], TokenHashes.hash(token).getBytes(StandardCharsets.US_ASCII));
            return false;
        }
        return MessageDigest.isEqual(
                stored.get(0).getBytes(StandardCharsets.US_ASCII),
                TokenHashes.hash(token).getBytes(StandardCharsets.US_ASCII));
    }
}
