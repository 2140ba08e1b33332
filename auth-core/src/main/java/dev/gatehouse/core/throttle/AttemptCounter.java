package dev.gatehouse.core.throttle;

import java.time.Instant;
import java.util.Objects;

/**
 * One failure counter as an {@link AttemptStore} keeps it.
 *
 * @param failures consecutive failures since the last reset
 * @param blockedUntil no attempt before this instant ({@link Instant#EPOCH} when not blocked)
 * @param expiresAt when the store may forget the counter
 */
public record AttemptCounter(int failures, Instant blockedUntil, Instant expiresAt) {

    /** A counter with no failures. */
    public static final AttemptCounter NONE = new AttemptCounter(0, Instant.EPOCH, Instant.EPOCH);

    /** Checks values. */
    public AttemptCounter {
        Objects.requireNonNull(blockedUntil, "blockedUntil must not be null");
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        if (failures < 0) {
            throw new IllegalArgumentException("failures must not be negative");
        }
    }

    /**
     * Whether the counter has expired at {@code now}.
     *
     * @param now the current time
     * @return {@code true} if it should be treated as absent
     */
    public boolean expiredAt(Instant now) {
        return !expiresAt.isAfter(now);
    }
}
