package dev.gatehouse.server.dynamicclients;

import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Initial access tokens (RFC 7591 §3): bearer tokens an operator mints through the admin API and hands to a developer,
 * each good for a limited number of registrations until it expires or is revoked. Stored only as SHA-256 hashes
 * ({@code gh_initial_access_token}); the token itself is returned once, when minted. A use is taken with one
 * conditional update, so concurrent registrations on any node cannot overspend it.
 */
public final class InitialAccessTokens {

    /** The longest an initial access token may live. */
    public static final Duration MAX_LIFETIME = Duration.ofDays(90);

    /** The most registrations one token may allow. */
    public static final int MAX_USES = 1000;

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final SecureRandom random;

    InitialAccessTokens(JdbcTemplate jdbc, Clock clock, SecureRandom random) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.random = Objects.requireNonNull(random, "random must not be null");
    }

    /**
     * An initial access token as listed: never the token or its hash.
     *
     * @param id its id, for revocation
     * @param description what it is for
     * @param maxUses registrations it allows in all
     * @param usesLeft registrations it still allows
     * @param createdBy the operator who minted it
     * @param createdAt when
     * @param expiresAt when it stops working
     * @param revokedAt when it was revoked, if it was
     */
    public record View(
            String id,
            String description,
            int maxUses,
            int usesLeft,
            @Nullable String createdBy,
            Instant createdAt,
            Instant expiresAt,
            @Nullable Instant revokedAt) {}

    /**
     * A newly minted token, shown once.
     *
     * @param token the bearer token: give it to the developer now, it cannot be shown again
     * @param view what is stored about it
     */
    public record Minted(String token, View view) {
        @Override
        public String toString() {
            return "Minted[" + view.id() + "]";
        }
    }

    /** Why a presented token was not accepted (for the audit; the client is told only {@code invalid_token}). */
    enum Refusal {
        UNKNOWN,
        EXPIRED,
        USED_UP,
        REVOKED
    }

    /**
     * Mints a token.
     *
     * @param description what it is for (shown in lists), 1 to 200 characters
     * @param maxUses registrations it allows, 1 to {@link #MAX_USES}
     * @param lifetime how long it works, positive, at most {@link #MAX_LIFETIME}
     * @param createdBy the operator
     * @return the token, with its stored view
     */
    public Minted mint(String description, int maxUses, Duration lifetime, @Nullable String createdBy) {
        if (description.isBlank() || description.length() > 200) {
            throw new IllegalArgumentException("description must be 1 to 200 characters");
        }
        if (maxUses < 1 || maxUses > MAX_USES) {
            throw new IllegalArgumentException("maxUses must be 1 to " + MAX_USES);
        }
        if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException(
                    "lifetime must be positive and at most " + MAX_LIFETIME.toDays() + " days");
        }
        String token = TokenHashes.newToken(random);
        String id = UUID.randomUUID().toString();
        Instant now = clock.instant();
        Instant expires = now.plus(lifetime);
        jdbc.update(
                "INSERT INTO gh_initial_access_token (id, token_hash, description, max_uses, uses_left, created_by,"
                        + " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                id,
                TokenHashes.hash(token),
                description,
                maxUses,
                maxUses,
                createdBy,
                Timestamp.from(now),
                Timestamp.from(expires));
        return new Minted(token, new View(id, description, maxUses, maxUses, createdBy, now, expires, null));
    }

    /**
     * Every token, newest first, at most {@code limit}.
     *
     * @param limit the most to list
     * @return the tokens
     */
    public List<View> list(int limit) {
        return jdbc.query(
                "SELECT id, description, max_uses, uses_left, created_by, created_at, expires_at, revoked_at"
                        + " FROM gh_initial_access_token ORDER BY created_at DESC, id LIMIT ?",
                (rs, i) -> {
                    Timestamp revoked = rs.getTimestamp(8);
                    return new View(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getInt(3),
                            rs.getInt(4),
                            rs.getString(5),
                            rs.getTimestamp(6).toInstant(),
                            rs.getTimestamp(7).toInstant(),
                            revoked == null ? null : revoked.toInstant());
                },
                limit);
    }

    /**
     * Revokes a token: it allows no further registration. Clients registered with it stay.
     *
     * @param id the token's id
     * @return whether a token that was not yet revoked was found
     */
    public boolean revoke(String id) {
        return jdbc.update(
                        "UPDATE gh_initial_access_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                        Timestamp.from(clock.instant()),
                        id)
                == 1;
    }

    /**
     * Takes one use of a presented token, in the caller's transaction (a refused registration rolls it back).
     *
     * @param token the presented bearer token
     * @return the refusal, or {@code null} when a use was taken
     */
    /**
     * The id of a presented token (for the audit: which token a registration spent), never the token itself.
     *
     * @param token the presented bearer token
     * @return its id, or {@code null} if unknown
     */
    @Nullable
    String idOf(String token) {
        List<String> ids = jdbc.queryForList(
                "SELECT id FROM gh_initial_access_token WHERE token_hash = ?", String.class, TokenHashes.hash(token));
        return ids.isEmpty() ? null : ids.get(0);
    }

    @Nullable
    Refusal use(String token) {
        String hash = TokenHashes.hash(token);
        Timestamp now = Timestamp.from(clock.instant());
        int updated = jdbc.update(
                "UPDATE gh_initial_access_token SET uses_left = uses_left - 1 WHERE token_hash = ? AND uses_left > 0"
                        + " AND revoked_at IS NULL AND expires_at > ?",
                hash,
                now);
        if (updated == 1) {
            return null;
        }
        List<Refusal> why = jdbc.query(
                "SELECT uses_left, expires_at, revoked_at FROM gh_initial_access_token WHERE token_hash = ?",
                (rs, i) -> rs.getTimestamp(3) != null
                        ? Refusal.REVOKED
                        : !rs.getTimestamp(2).after(now) ? Refusal.EXPIRED : Refusal.USED_UP,
                hash);
        return why.isEmpty() ? Refusal.UNKNOWN : why.get(0);
    }
}
