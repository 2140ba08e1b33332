package dev.gatehouse.core.jwt;

import java.time.Duration;
import java.util.Objects;

/**
 * When a {@link KeyRing} rotates.
 *
 * @param rotateEvery how long a key stays {@link KeyState#ACTIVE}
 * @param prepublish how long a key is published as {@link KeyState#NEXT} before it may sign, so JWKS caches
 *     learn it first (at least the verifiers' JWKS cache lifetime)
 * @param retireAfter how long a key stays published as {@link KeyState#RETIRING} after it stops signing (at
 *     least the longest token lifetime plus clock skew, so no token in flight fails)
 */
public record RotationPolicy(Duration rotateEvery, Duration prepublish, Duration retireAfter) {

    /** Checks that durations are positive and that a key is active longer than it is prepublished. */
    public RotationPolicy {
        Objects.requireNonNull(rotateEvery, "rotateEvery must not be null");
        Objects.requireNonNull(prepublish, "prepublish must not be null");
        Objects.requireNonNull(retireAfter, "retireAfter must not be null");
        if (rotateEvery.isNegative() || rotateEvery.isZero() || prepublish.isNegative() || retireAfter.isNegative()) {
            throw new TokenException(TokenException.Reason.INVALID_KEY, "rotation durations must be positive");
        }
        if (prepublish.compareTo(rotateEvery) > 0) {
            throw new TokenException(
                    TokenException.Reason.INVALID_KEY, "prepublish must not be longer than rotateEvery");
        }
    }

    /**
     * Rotate every 30 days, prepublish 1 day, keep retiring keys 2 days.
     *
     * @return the default policy
     */
    public static RotationPolicy defaults() {
        return new RotationPolicy(Duration.ofDays(30), Duration.ofDays(1), Duration.ofDays(2));
    }
}
