package dev.gatehouse.core.password;

import static dev.gatehouse.core.password.PasswordException.Reason.INVALID_PARAMETERS;

/**
 * Argon2id cost parameters (RFC 9106 §3.1).
 *
 * @param memoryKiB memory cost {@code m} in KiB
 * @param iterations number of passes {@code t}
 * @param parallelism lanes {@code p}
 * @param hashLength tag length in bytes
 * @param saltLength salt length in bytes for new hashes
 */
public record Argon2Parameters(int memoryKiB, int iterations, int parallelism, int hashLength, int saltLength)
        implements HashParameters {

    /** Hard ceiling on memory accepted even from a stored hash (4 GiB), so one row cannot exhaust a node. */
    static final int MAX_MEMORY_KIB = 4 * 1024 * 1024;

    static final int MAX_ITERATIONS = 1_000;
    static final int MAX_PARALLELISM = 64;

    /**
     * The equivalent Argon2id configurations listed by the OWASP Password Storage Cheat Sheet (all p=1), as {m KiB,
     * t}: 46 MiB/1, 19 MiB/2, 12 MiB/3, 9 MiB/4, 7 MiB/5 (the last is Keycloak's default). Their memory-time products
     * differ (47104 down to 35840), so a single product threshold would refuse some of them or accept weaker ones; a
     * configuration is strong enough when it has at least the memory and at least the passes of one listed entry.
     */
    private static final int[][] OWASP_MINIMUMS = {{47_104, 1}, {19_456, 2}, {12_288, 3}, {9_216, 4}, {7_168, 5}};

    /** Checks sanity (positive, below hard ceilings). */
    public Argon2Parameters {
        if (memoryKiB < 8 * parallelism || memoryKiB > MAX_MEMORY_KIB) {
            throw new PasswordException(
                    INVALID_PARAMETERS,
                    "Argon2 memory must be between 8*parallelism and " + MAX_MEMORY_KIB + " KiB, was " + memoryKiB);
        }
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new PasswordException(
                    INVALID_PARAMETERS,
                    "Argon2 iterations must be between 1 and " + MAX_ITERATIONS + ", was " + iterations);
        }
        if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
            throw new PasswordException(
                    INVALID_PARAMETERS,
                    "Argon2 parallelism must be between 1 and " + MAX_PARALLELISM + ", was " + parallelism);
        }
        if (hashLength < 4 || hashLength > 1024) {
            throw new PasswordException(
                    INVALID_PARAMETERS, "Argon2 hash length must be between 4 and 1024 bytes, was " + hashLength);
        }
        if (saltLength < 8 || saltLength > 1024) {
            throw new PasswordException(
                    INVALID_PARAMETERS, "Argon2 salt length must be between 8 and 1024 bytes, was " + saltLength);
        }
    }

    /**
     * The OWASP recommendation and Gatehouse default: m=19 MiB, t=2, p=1, 32-byte tag, 16-byte salt.
     *
     * @return the default parameters
     */
    public static Argon2Parameters owasp() {
        return new Argon2Parameters(19_456, 2, 1, 32, 16);
    }

    /**
     * RFC 9106 §4 second recommended option for memory-constrained environments: m=64 MiB, t=3, p=4.
     *
     * @return RFC 9106's low-memory parameters
     */
    public static Argon2Parameters rfc9106LowMemory() {
        return new Argon2Parameters(65_536, 3, 4, 32, 16);
    }

    /**
     * Parameters with the given costs, a 32-byte tag and a 16-byte salt.
     *
     * @param memoryKiB memory in KiB
     * @param iterations passes
     * @param parallelism lanes
     * @return the parameters
     */
    public static Argon2Parameters of(int memoryKiB, int iterations, int parallelism) {
        return new Argon2Parameters(memoryKiB, iterations, parallelism, 32, 16);
    }

    @Override
    public HashAlgorithm algorithm() {
        return HashAlgorithm.ARGON2ID;
    }

    @Override
    public boolean weakerThan(HashParameters policy) {
        if (!(policy instanceof Argon2Parameters p)) {
            return true;
        }
        return memoryKiB < p.memoryKiB || iterations < p.iterations || hashLength < p.hashLength;
    }

    @Override
    public void requireStrongEnoughForNewHashes() {
        if (!meetsOwaspMinimum(memoryKiB, iterations)) {
            throw new PasswordException(
                    INVALID_PARAMETERS,
                    "Argon2id parameters below the OWASP minimum: need at least one of m=47104 t=1, m=19456 t=2, "
                            + "m=12288 t=3, m=9216 t=4, m=7168 t=5 (m in KiB, more memory or passes allowed); got m="
                            + memoryKiB + ", t=" + iterations);
        }
        if (hashLength < 16 || saltLength < 16) {
            throw new PasswordException(
                    INVALID_PARAMETERS, "Argon2id needs a hash length and salt length of at least 16 bytes");
        }
    }

    private static boolean meetsOwaspMinimum(int memoryKiB, int iterations) {
        for (int[] minimum : OWASP_MINIMUMS) {
            if (memoryKiB >= minimum[0] && iterations >= minimum[1]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "argon2id(m=" + memoryKiB + ",t=" + iterations + ",p=" + parallelism + ")";
    }
}
