package dev.gatehouse.core.mfa;

import java.util.Set;

/**
 * Storage of recovery-code hashes (SPI). Only hashes are stored, never codes. {@link
 * InMemoryRecoveryCodeStore} is the in-process implementation; a database does {@link #consume} as {@code
 * DELETE FROM recovery_code WHERE user_id = ? AND code_hash = ?} and checks that one row went. Implementations
 * must be thread-safe and make {@link #consume} atomic: of concurrent calls with one hash, exactly one wins.
 */
public interface RecoveryCodeStore {

    /**
     * Replaces a user's whole set, atomically.
     *
     * @param userId the user
     * @param hashes the new hashes
     */
    void replaceAll(String userId, Set<String> hashes);

    /**
     * Removes one hash if present, atomically.
     *
     * @param userId the user
     * @param hash the hash of the code being used
     * @return {@code true} if it was present (and is now gone)
     */
    boolean consume(String userId, String hash);

    /**
     * How many unused codes a user has.
     *
     * @param userId the user
     * @return the count, 0 if none
     */
    int remaining(String userId);

    /**
     * Removes a user's set.
     *
     * @param userId the user
     * @return whether there was one
     */
    boolean deleteAll(String userId);
}
