package dev.gatehouse.core.password;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Argon2 (RFC 9106) computed by Bouncy Castle's {@link Argon2BytesGenerator}, the fastest correct Argon2 on the
 * JVM we measured (issue 18; benchmarks/README.md: Password4j's took 1.5-1.8x its time at the same parameters).
 * Stateless: each call gets its own generator and memory, which Bouncy Castle wipes before returning.
 *
 * <p>Callers bound the cost first ({@link Argon2Parameters}' ceilings, {@link StoredHash}'s strict parse, the
 * hasher's {@link HashingGate}); nothing here trusts a stored value.
 */
final class Argon2Engine {

    private static final int VERSION_16 = 0x10;
    private static final int VERSION_19 = 0x13;

    private Argon2Engine() {}

    /**
     * The tag {@code H} of RFC 9106 §3.2 for a password and salt, without secret or associated data.
     *
     * @param algorithm Argon2id, Argon2i or Argon2d
     * @param version {@code 0x13} (19) or {@code 0x10} (16)
     * @param parameters memory, passes and lanes; the tag length is {@code tagLength}
     * @param password the password's UTF-8 bytes
     * @param salt the salt
     * @param tagLength the length of the tag in bytes
     * @return the tag
     */
    static byte[] hash(
            HashAlgorithm algorithm,
            int version,
            Argon2Parameters parameters,
            byte[] password,
            byte[] salt,
            int tagLength) {
        return hash(algorithm, version, parameters, password, salt, null, null, tagLength);
    }

    /** As {@link #hash(HashAlgorithm, int, Argon2Parameters, byte[], byte[], int)}, with RFC 9106's K and X. */
    static byte[] hash(
            HashAlgorithm algorithm,
            int version,
            Argon2Parameters parameters,
            byte[] password,
            byte[] salt,
            byte @Nullable [] secret,
            byte @Nullable [] associatedData,
            int tagLength) {
        if (version != VERSION_19 && version != VERSION_16) {
            throw new PasswordException(
                    PasswordException.Reason.UNSUPPORTED_ALGORITHM, "Argon2 version must be 19 or 16, was " + version);
        }
        org.bouncycastle.crypto.params.Argon2Parameters.Builder builder =
                new org.bouncycastle.crypto.params.Argon2Parameters.Builder(type(algorithm))
                        .withVersion(version)
                        .withMemoryAsKB(parameters.memoryKiB())
                        .withIterations(parameters.iterations())
                        .withParallelism(parameters.parallelism())
                        .withSalt(salt);
        if (secret != null) {
            builder.withSecret(secret);
        }
        if (associatedData != null) {
            builder.withAdditional(associatedData);
        }
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(builder.build());
        byte[] tag = new byte[tagLength];
        generator.generateBytes(password, tag);
        return tag;
    }

    private static int type(HashAlgorithm algorithm) {
        return switch (algorithm) {
            case ARGON2ID -> org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_id;
            case ARGON2I -> org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_i;
            case ARGON2D -> org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_d;
            default -> throw new IllegalArgumentException("not an Argon2 variant: " + algorithm);
        };
    }
}
