package dev.gatehouse.core.mfa;

import java.util.Optional;

/**
 * Storage of TOTP factor state (SPI). {@link InMemoryTotpFactorStore} is the in-process implementation; a
 * server backs it with its database, e.g. {@code UPDATE totp_factor SET ... WHERE user_id = ? AND version =
 * ?} for {@link #compareAndSet}. Implementations must be thread-safe.
 */
public interface TotpFactorStore {

    /**
     * The factor of a user.
     *
     * @param userId the user
     * @return the factor, pending or confirmed, or empty
     */
    Optional<TotpFactor> find(String userId);

    /**
     * Stores a new pending factor, replacing a pending one of the same user, atomically.
     *
     * @param factor an unconfirmed factor
     * @return {@code false} (and nothing stored) if the user has a confirmed factor
     */
    boolean savePending(TotpFactor factor);

    /**
     * Replaces {@code current} by {@code next} only if the stored factor still has {@code current.version()},
     * atomically, so two concurrent uses of one code cannot both succeed.
     *
     * @param current the state read
     * @param next the new state
     * @return whether the update happened
     */
    boolean compareAndSet(TotpFactor current, TotpFactor next);

    /**
     * Removes a user's factor.
     *
     * @param userId the user
     * @return whether there was one
     */
    boolean delete(String userId);
}
