package dev.gatehouse.core.password;

/**
 * Cost parameters of one hashing algorithm. Instances are immutable values; {@code of(...)} factories
 * check only that values are sane, while {@link PasswordHasher.Builder} also checks that parameters
 * chosen for new hashes meet the OWASP minimums.
 */
public sealed interface HashParameters permits Argon2Parameters, BcryptParameters, ScryptParameters {

    /**
     * The algorithm these parameters are for.
     *
     * @return the algorithm
     */
    HashAlgorithm algorithm();

    /**
     * Whether a hash made with these parameters is weaker than one made with {@code policy} (of the same
     * algorithm), in any cost dimension.
     *
     * @param policy the current parameters
     * @return {@code true} if a rehash to {@code policy} would strengthen it
     */
    boolean weakerThan(HashParameters policy);

    /**
     * Checks that these parameters are strong enough for new hashes.
     *
     * @throws PasswordException with {@link PasswordException.Reason#INVALID_PARAMETERS} if not
     */
    void requireStrongEnoughForNewHashes();
}
