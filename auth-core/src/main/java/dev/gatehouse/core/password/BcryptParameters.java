package dev.gatehouse.core.password;

import static dev.gatehouse.core.password.PasswordException.Reason.INVALID_PARAMETERS;

/**
 * bcrypt cost parameter. New hashes use the {@code $2b$} prefix (OpenBSD's current version).
 *
 * @param cost log2 of the number of rounds, 4..31
 */
public record BcryptParameters(int cost) implements HashParameters {

    /** Minimum cost accepted for new hashes (OWASP: 10 or more). */
    public static final int MIN_COST_FOR_NEW_HASHES = 10;

    /** Default cost for new hashes. */
    public static final int DEFAULT_COST = 12;

    /** Checks the cost is in bcrypt's range 4..31. */
    public BcryptParameters {
        if (cost < 4 || cost > 31) {
            throw new PasswordException(INVALID_PARAMETERS, "bcrypt cost must be between 4 and 31, was " + cost);
        }
    }

    /**
     * The default: cost 12.
     *
     * @return the default parameters
     */
    public static BcryptParameters defaults() {
        return new BcryptParameters(DEFAULT_COST);
    }

    /**
     * bcrypt with the given cost.
     *
     * @param cost log2 rounds
     * @return the parameters
     */
    public static BcryptParameters of(int cost) {
        return new BcryptParameters(cost);
    }

    @Override
    public HashAlgorithm algorithm() {
        return HashAlgorithm.BCRYPT;
    }

    @Override
    public boolean weakerThan(HashParameters policy) {
        return !(policy instanceof BcryptParameters p) || cost < p.cost;
    }

    @Override
    public void requireStrongEnoughForNewHashes() {
        if (cost < MIN_COST_FOR_NEW_HASHES) {
            throw new PasswordException(
                    INVALID_PARAMETERS,
                    "bcrypt cost must be at least " + MIN_COST_FOR_NEW_HASHES + " for new hashes, was " + cost);
        }
    }

    @Override
    public String toString() {
        return "bcrypt(cost=" + cost + ")";
    }
}
