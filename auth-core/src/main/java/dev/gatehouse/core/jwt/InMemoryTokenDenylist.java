package dev.gatehouse.core.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.gatehouse.core.internal.OptionalLibrary;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * A {@link TokenDenylist} in memory (Caffeine), each entry expiring with its token. No size bound: evicting
 * an entry early would silently un-revoke a token. Thread-safe.
 */
public final class InMemoryTokenDenylist implements TokenDenylist {

    private final Clock clock;
    private final Cache<String, Instant> revoked;

    /** A denylist on the UTC system clock. */
    public InMemoryTokenDenylist() {
        this(Clock.systemUTC());
    }

    /**
     * A denylist on the given clock.
     *
     * @param clock the clock that decides when entries expire
     */
    public InMemoryTokenDenylist(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        TokenException.requireLibrary(OptionalLibrary.CAFFEINE, "in-memory denylists (InMemoryTokenDenylist)");
        this.revoked = RevokedCache.create(clock, this::remaining);
    }

    private long remaining(Instant expiresAt) {
        // Keep five extra minutes (the largest clock skew a verifier allows) so skew cannot resurrect a revoked token.
        return Math.max(
                0,
                Duration.between(clock.instant(), expiresAt.plus(TokenVerifier.MAX_CLOCK_SKEW))
                        .toNanos());
    }

    @Override
    public void revoke(String jti, Instant expiresAt) {
        revoked.put(
                Objects.requireNonNull(jti, "jti must not be null"),
                Objects.requireNonNull(expiresAt, "expiresAt must not be null"));
    }

    @Override
    public boolean isRevoked(String jti) {
        return revoked.getIfPresent(jti) != null;
    }

    /**
     * Caffeine's types stay in this class, linked only after the constructor's library check: handing the
     * {@code Expiry} to Caffeine makes the verifier load it, which would fail the whole denylist without Caffeine.
     */
    private static final class RevokedCache {

        private RevokedCache() {}

        static Cache<String, Instant> create(Clock clock, ToLongFunction<Instant> remaining) {
            return Caffeine.newBuilder()
                    .ticker(() -> Duration.ofMillis(clock.millis()).toNanos())
                    .expireAfter(new Expiry<String, Instant>() {
                        @Override
                        public long expireAfterCreate(String jti, Instant expiresAt, long currentTime) {
                            return remaining.applyAsLong(expiresAt);
                        }

                        @Override
                        public long expireAfterUpdate(
                                String jti, Instant expiresAt, long currentTime, long currentDuration) {
                            return remaining.applyAsLong(expiresAt);
                        }

                        @Override
                        public long expireAfterRead(
                                String jti, Instant expiresAt, long currentTime, long currentDuration) {
                            return currentDuration;
                        }
                    })
                    .build();
        }
    }
}
