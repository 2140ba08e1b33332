package dev.gatehouse.core.password;

import static dev.gatehouse.core.password.PasswordException.Reason.INVALID_PARAMETERS;

/**
 * scrypt cost parameters (RFC 7914 §2).
 *
 * @param cpuMemoryCost {@code N}, a power of two greater than 1
 * @param blockSize {@code r}
 * @param parallelization {@code p}
 * @param keyLength derived key length in bytes
 */
public record ScryptParameters(int cpuMemoryCost, int blockSize, int parallelization, int keyLength)
        implements HashParameters {

    /** Ceiling on {@code 128 * N * r} bytes accepted even from a stored hash (1 GiB). */
    static final long MAX_MEMORY_BYTES = 1L << 30;

    /** OWASP's weakest listed option is N=2^13, r=8, p=10; all options have N*r*p of at least this. */
    private static final long OWASP_MIN_WORK = (1L << 13) * 8 * 10;

    /** Checks sanity: N a power of two, positive r and p, bounded memory. */
    public ScryptParameters {
        if (cpuMemoryCost < 2 || Integer.bitCount(cpuMemoryCost) != 1) {
            throw new PasswordException(
                    INVALID_PARAMETERS, "scrypt N must be a power of two greater than 1, was " + cpuMemoryCost);
        }
        if (blockSize < 1 || parallelization < 1 || parallelization > 64) {
            throw new PasswordException(
                    INVALID_PARAMETERS,
                    "scrypt r must be >= 1 and p between 1 and 64, were " + blockSize + ", " + parallelization);
        }
        if (128L * cpuMemoryCost * blockSize > MAX_MEMORY_BYTES) {
            throw new PasswordException(INVALID_PARAMETERS, "scrypt parameters need more than 1 GiB of memory");
        }
        if (keyLength < 16 || keyLength > 1024) {
            throw new PasswordException(
                    INVALID_PARAMETERS, "scrypt key length must be between 16 and 1024 bytes, was " + keyLength);
        }
    }

    /**
     * The OWASP recommendation: N=2^17, r=8, p=1, 32-byte key (128 MiB per hash).
     *
     * @return the default scrypt parameters
     */
    public static ScryptParameters owasp() {
        return new ScryptParameters(1 << 17, 8, 1, 32);
    }

    /**
     * scrypt with the given costs and a 32-byte key.
     *
     * @param n CPU/memory cost, a power of two
     * @param r block size
     * @param p parallelization
     * @return the parameters
     */
    public static ScryptParameters of(int n, int r, int p) {
        return new ScryptParameters(n, r, p, 32);
    }

    @Override
    public HashAlgorithm algorithm() {
        return HashAlgorithm.SCRYPT;
    }

    @Override
    public boolean weakerThan(HashParameters policy) {
        if (!(policy instanceof ScryptParameters s)) {
            return true;
        }
        return cpuMemoryCost < s.cpuMemoryCost
                || blockSize < s.blockSize
                || parallelization < s.parallelization
                || keyLength < s.keyLength;
    }

    @Override
    public void requireStrongEnoughForNewHashes() {
        if (blockSize < 8 || (long) cpuMemoryCost * blockSize * parallelization < OWASP_MIN_WORK) {
            throw new PasswordException(
                    INVALID_PARAMETERS,
                    "scrypt parameters below the OWASP minimum: need r >= 8 and N*r*p >= 655360 "
                            + "(e.g. N=2^17, r=8, p=1)");
        }
    }

    @Override
    public String toString() {
        return "scrypt(N=" + cpuMemoryCost + ",r=" + blockSize + ",p=" + parallelization + ")";
    }
}
