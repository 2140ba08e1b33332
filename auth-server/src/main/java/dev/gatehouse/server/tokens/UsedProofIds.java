package dev.gatehouse.server.tokens;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The DPoP proof {@code jti} values this server has accepted, on every node at once (RFC 9449 §4.3 check 12, §11.1).
 * Spring Security 7.0.6 checks a proof's {@code jti} against a map in each JVM (at most 1000 entries), so a proof
 * accepted by one node could be used once more at another (spring-projects/spring-security#18120, which also finds
 * no hook to share that map). Spring's checks stay as they are; this is one more, after them, on the shared
 * database: {@link #claim} is a plain {@code INSERT} into {@code gh_used_jti}, and a duplicate key is a replay. The
 * first insert wins on every database, whichever node makes it. When #18120 gives Spring's validator a pluggable
 * store, this class can become that store, and the checks Gatehouse adds after Spring's
 * ({@link TokenEndpointProofReplayCheck}, {@link ProofReplayFilter}) can go.
 *
 * <ul>
 *   <li><b>Key</b>: SHA-256 of {@code dpop}, NUL and the {@code jti} (UTF-8, {@link #DPOP_KIND}), base64url without padding: a fixed 43 characters whatever
 *       the client sent (a {@code jti} has no length limit), as Spring's own cache keys it, and never the value
 *       itself in the database.
 *   <li><b>Scope</b>: one key for the whole server, where RFC 9449 §11.1 asks for uniqueness per target URI. That is
 *       stricter and costs an honest client nothing: §4.2 requires a fresh, collision-free {@code jti} for every
 *       proof, so the same {@code jti} at another URI is never legitimate.
 *   <li><b>Lifetime</b>: Spring accepts a proof whose {@code iat} is within {@link #CLOCK_SKEW} of the verifying
 *       node's clock ({@code JwtIssuedAtValidator}'s default, 60 s, either side), so it can be accepted until
 *       {@code iat + 60 s}. A row is kept until {@code max(iat, now) + 60 s +} {@link #MARGIN}: past that the proof
 *       is refused as too old anyway. The margin covers clocks that differ a little between nodes.
 * </ul>
 */
public final class UsedProofIds {

    /** How far a proof's {@code iat} may be from now: Spring Security's {@code JwtIssuedAtValidator} default. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(60);

    /** Kept beyond the acceptance window, for clocks that differ a little between nodes. */
    public static final Duration MARGIN = Duration.ofSeconds(5);

    /** What {@link #claim} found. */
    public sealed interface Claim {

        /** The first use of this {@code jti}: the proof may be accepted. */
        record First() implements Claim {}

        /** The {@code jti} was used before, on this node or another: the proof must be refused. */
        record Replayed() implements Claim {}
    }

    /**
     * The kind prefix of DPoP proof keys: {@code dpop}, NUL, the {@code jti}. Every kind of single-use value has its
     * own prefix (client assertions: {@code client-assertion}, NUL, client id, NUL, {@code jti}), so a DPoP proof whose
     * {@code jti} spells another kind's key cannot burn it in advance. Before this prefix, DPoP rows were keyed by the
     * bare {@code jti}; rows stored under the old key live at most 65 s, so the change lets at most a proof accepted
     * just before an upgrade be accepted once more within its last minute: harmless, and no migration is needed.
     */
    static final String DPOP_KIND = "dpop";

    private final JdbcTemplate jdbc;
    private final Clock clock;

    /**
     * Creates the store.
     *
     * @param jdbc the JDBC template on the shared database
     * @param clock the clock
     */
    public UsedProofIds(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /**
     * Records a proof's {@code jti} as used, unless it already was. Call it only for a proof whose signature and
     * claims were verified, so that nobody can fill the table with proofs that would be refused anyway. A database
     * error is thrown, never taken as a first use (fail closed).
     *
     * @param jti the proof's {@code jti}
     * @param issuedAt the proof's {@code iat} ({@code null}: now)
     * @return {@link Claim.First} the first time, {@link Claim.Replayed} after that
     */
    public Claim claim(String jti, @Nullable Instant issuedAt) {
        Objects.requireNonNull(jti, "jti must not be null");
        Instant now = clock.instant();
        Instant from = issuedAt != null && issuedAt.isAfter(now) ? issuedAt : now;
        Instant expiresAt = from.plus(CLOCK_SKEW).plus(MARGIN);
        try {
            jdbc.update(
                    "INSERT INTO gh_used_jti (jti_hash, expires_at) VALUES (?, ?)",
                    hash(dpopKey(jti)),
                    Timestamp.from(expiresAt));
            return new Claim.First();
        } catch (DuplicateKeyException replayed) {
            return new Claim.Replayed();
        }
    }

    /**
     * Records a single-use value other than a DPoP proof's {@code jti} (a client assertion's, RFC 7523 §3 item 7), kept
     * until {@code keepUntil}. The caller makes {@code key} unique to its kind (a prefix) and scope (the client);
     * only its SHA-256 is stored. Fails closed like {@link #claim}.
     *
     * @param key the value with its kind prefix and scope
     * @param keepUntil when the row may be purged: after the value can no longer be accepted anyway
     * @return {@link Claim.First} the first time, {@link Claim.Replayed} after that
     */
    public Claim claimUntil(String key, Instant keepUntil) {
        Objects.requireNonNull(key, "key must not be null");
        Objects.requireNonNull(keepUntil, "keepUntil must not be null");
        try {
            jdbc.update(
                    "INSERT INTO gh_used_jti (jti_hash, expires_at) VALUES (?, ?)",
                    hash(key),
                    Timestamp.from(keepUntil));
            return new Claim.First();
        } catch (DuplicateKeyException replayed) {
            return new Claim.Replayed();
        }
    }

    /**
     * Deletes the rows of proofs that can no longer be accepted.
     *
     * @param cutoff rows expiring before this are deleted
     * @return how many were deleted
     */
    public int purgeExpired(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff must not be null");
        return jdbc.update("DELETE FROM gh_used_jti WHERE expires_at < ?", Timestamp.from(cutoff));
    }

    /** The stored key of a DPoP proof's {@code jti}, before hashing: {@link #DPOP_KIND}, NUL, the {@code jti}. */
    static String dpopKey(String jti) {
        return DPOP_KIND + '\u0000' + jti;
    }

    /** The key of a {@code jti}: SHA-256, base64url without padding (43 characters). */
    static String hash(String jti) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(jti.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
