package dev.gatehouse.core.password;

import static dev.gatehouse.core.password.PasswordException.Reason.INVALID_PARAMETERS;
import static dev.gatehouse.core.password.PasswordException.Reason.INVALID_PASSWORD;
import static dev.gatehouse.core.password.PasswordException.Reason.PASSWORD_TOO_LONG_FOR_ALGORITHM;

import com.password4j.BcryptFunction;
import com.password4j.ScryptFunction;
import com.password4j.types.Bcrypt;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Hashes and verifies passwords. Built once with {@link #builder()}, then immutable and thread-safe.
 *
 * <p>Safe defaults: Argon2id with OWASP parameters (m=19 MiB, t=2, p=1); passwords NFKC-normalised (NIST SP
 * 800-63B §5.1.1.2) before hashing; at most {@code max(2, cores)} hash computations at once; bcrypt input
 * over 72 bytes refused, never truncated; optional HMAC-SHA256 pepper with rotating key ids.
 *
 * <pre>{@code
 * PasswordHasher hasher = PasswordHasher.builder().build();
 * String stored = hasher.hash(password);
 * Verification v = user == null ? hasher.verifyUnknownUser(password) : hasher.verify(password, user.hash());
 * if (v.needsRehash()) users.updateHash(user, v.upgradedHash().orElseThrow());
 * }</pre>
 *
 * <p>Accepted stored formats: Argon2id/i/d PHC strings (v=19 or 16), bcrypt {@code $2a$ $2b$ $2y$}, scrypt
 * as Spring Security writes it, and PBKDF2-HMAC-SHA256 in PHC, passlib and Django forms (verify only).
 * Anything matched with a weaker algorithm, weaker parameters, an older pepper or without normalisation is
 * reported by {@link Verification#needsRehash()} with the upgraded hash ready to store.
 *
 * <p>Engines: Argon2 is computed by Bouncy Castle's {@code Argon2BytesGenerator} (the fastest we measured on the
 * JVM, issue 18), bcrypt and scrypt by Password4j, PBKDF2 by the JDK. Stored strings are the same PHC and
 * modular-crypt formats whichever engine made them.
 */
public final class PasswordHasher {

    /** bcrypt reads at most 72 bytes of its input (the Blowfish key schedule). */
    static final int BCRYPT_MAX_BYTES = 72;

    private final HashParameters parameters;
    private final @Nullable Peppers peppers;
    private final HashingGate gate;
    private final int maxPasswordLength;
    private final SecureRandom random;
    private volatile @Nullable String dummyHash;

    private PasswordHasher(Builder b) {
        this.parameters = b.parameters;
        this.peppers = b.peppers;
        this.gate = new HashingGate(b.maxConcurrentHashes, b.maxWait);
        this.maxPasswordLength = b.maxPasswordLength;
        this.random = b.random;
    }

    /**
     * A builder with the safe defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A hasher with every default: Argon2id (m=19 MiB, t=2, p=1), no pepper.
     *
     * @return a new hasher
     */
    public static PasswordHasher defaults() {
        return builder().build();
    }

    /**
     * The parameters used for new hashes.
     *
     * @return the current parameters
     */
    public HashParameters parameters() {
        return parameters;
    }

    /**
     * How many hash computations (hashing or verifying) may run at once; callers beyond it wait up to the configured
     * wait, then fail with {@link PasswordException.Reason#BUSY}.
     *
     * @return the bound, at least 1
     */
    public int maxConcurrentHashes() {
        return gate.capacity();
    }

    /**
     * How many hash computations run now, for metrics.
     *
     * @return between 0 and {@link #maxConcurrentHashes()}
     */
    public int hashesInFlight() {
        return gate.running();
    }

    /**
     * The most hash computations that ever ran at once on this hasher, for metrics: it shows from outside that the
     * bound held under a burst (each Argon2id computation holds its memory cost, 19 MiB by default).
     *
     * @return between 0 and {@link #maxConcurrentHashes()}
     */
    public int peakHashesInFlight() {
        return gate.peak();
    }

    /**
     * Hashes a password with the current parameters and a fresh random salt.
     *
     * @param password the password; NFKC-normalised before hashing
     * @return the encoded hash (PHC or modular-crypt string, prefixed {@code $pepper$kid=<id>} when peppered)
     * @throws PasswordException if the password is empty, too long, or over 72 bytes for bcrypt without pepper
     */
    public String hash(CharSequence password) {
        String normalized = normalize(checkInput(password));
        if (normalized.isEmpty()) {
            throw new PasswordException(INVALID_PASSWORD, "password must not be empty");
        }
        return hashNormalized(normalized);
    }

    /**
     * Verifies a password against a stored hash, in constant time with respect to the stored hash.
     *
     * @param password the password as typed
     * @param storedHash the stored hash in any accepted format
     * @return whether it matched and, if so, whether and how to upgrade the stored hash
     * @throws PasswordException if the stored hash is malformed, unsupported, over the cost ceilings (for Argon2:
     *     256 MiB and memory times passes of 256 MiB times 8, or this hasher's own parameters when higher), or made
     *     with a pepper key this hasher does not hold
     */
    public Verification verify(CharSequence password, String storedHash) {
        Objects.requireNonNull(storedHash, "storedHash must not be null");
        String raw = checkInput(password);
        StoredHash.Peppered stored = StoredHash.parseWithPepper(storedHash);
        stored.inner().requireWithinCeilings(parameters);
        if (!stored.keyId().isEmpty() && (peppers == null || !peppers.holds(stored.keyId()))) {
            throw new PasswordException(
                    PasswordException.Reason.UNKNOWN_PEPPER,
                    "stored hash uses pepper key '" + stored.keyId() + "', which this hasher does not hold");
        }
        if (raw.isEmpty()) {
            return Verification.mismatch();
        }
        String normalized = normalize(raw);
        boolean matched = matches(stored, normalized);
        boolean legacyUnnormalized = false;
        if (!matched && !normalized.equals(raw)) {
            // Hashes imported from systems that did not normalise were made from the raw form.
            matched = matches(stored, raw);
            legacyUnnormalized = matched;
        }
        if (!matched) {
            return Verification.mismatch();
        }
        boolean rehash = legacyUnnormalized || stale(stored);
        return Verification.matched(rehash ? hashNormalized(normalized) : null);
    }

    /**
     * Spends the same work as {@link #verify} against a dummy hash and reports a mismatch. Call it when the
     * user does not exist, so response time does not reveal which accounts exist.
     *
     * @param password the password as typed
     * @return always a mismatch
     */
    public Verification verifyUnknownUser(CharSequence password) {
        String dummy = dummyHash;
        if (dummy == null) {
            byte[] secret = new byte[24];
            random.nextBytes(secret);
            dummy = hashNormalized(Base64.getEncoder().encodeToString(secret));
            dummyHash = dummy;
        }
        verify(password, dummy);
        return Verification.mismatch();
    }

    /**
     * Whether a stored hash is weaker than the current policy (algorithm, parameters or pepper key).
     *
     * @param storedHash a stored hash
     * @return {@code true} if it should be replaced on the user's next successful sign-in
     * @throws PasswordException if the stored hash is malformed or unsupported
     */
    public boolean needsRehash(String storedHash) {
        Objects.requireNonNull(storedHash, "storedHash must not be null");
        return stale(StoredHash.parseWithPepper(storedHash));
    }

    /**
     * Identifies the algorithm of a stored hash without verifying anything.
     *
     * @param storedHash a stored hash
     * @return its algorithm
     * @throws PasswordException if the stored hash is malformed or unsupported
     */
    public static HashAlgorithm algorithmOf(String storedHash) {
        Objects.requireNonNull(storedHash, "storedHash must not be null");
        return StoredHash.parseWithPepper(storedHash).inner().algorithm();
    }

    /**
     * The NFKC form of a password (NIST SP 800-63B §5.1.1.2), as hashed and as checked by {@link
     * PasswordPolicy}.
     *
     * @param password a password
     * @return its NFKC normalisation
     */
    public static String normalize(CharSequence password) {
        return Normalizer.normalize(password, Normalizer.Form.NFKC);
    }

    private boolean stale(StoredHash.Peppered stored) {
        String wantedKey = peppers == null ? "" : peppers.currentKeyId();
        return !stored.keyId().equals(wantedKey) || stored.inner().weakerThan(parameters);
    }

    private boolean matches(StoredHash.Peppered stored, String password) {
        String input = stored.keyId().isEmpty()
                ? password
                : Objects.requireNonNull(peppers).apply(stored.keyId(), password);
        if (input.getBytes(StandardCharsets.UTF_8).length > stored.inner().maxInputBytes()) {
            // A bcrypt hash can only have been made from the first 72 bytes; accepting a longer password
            // would let every password sharing that prefix sign in. Refuse rather than truncate.
            return false;
        }
        return gate.run(() -> stored.inner().matches(input));
    }

    private String hashNormalized(String normalized) {
        String keyId = peppers == null ? "" : peppers.currentKeyId();
        String input =
                keyId.isEmpty() ? normalized : Objects.requireNonNull(peppers).apply(keyId, normalized);
        String encoded = gate.run(() -> compute(input));
        return keyId.isEmpty() ? encoded : StoredHash.PEPPER_PREFIX + keyId + encoded;
    }

    private String compute(String input) {
        byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
        if (parameters instanceof Argon2Parameters a) {
            byte[] salt = new byte[a.saltLength()];
            random.nextBytes(salt);
            byte[] tag = Argon2Engine.hash(HashAlgorithm.ARGON2ID, 0x13, a, bytes, salt, a.hashLength());
            return StoredHash.Argon2Hash.encode(a, salt, tag);
        }
        if (parameters instanceof BcryptParameters b) {
            if (bytes.length > BCRYPT_MAX_BYTES) {
                throw new PasswordException(
                        PASSWORD_TOO_LONG_FOR_ALGORITHM,
                        "bcrypt uses only the first 72 bytes of a password and this one is longer; use Argon2id, "
                                + "or configure a pepper (which pre-hashes the password)");
            }
            return BcryptFunction.getInstance(Bcrypt.B, b.cost()).hash(input).getResult();
        }
        ScryptParameters s = (ScryptParameters) parameters;
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return ScryptFunction.getInstance(s.cpuMemoryCost(), s.blockSize(), s.parallelization(), s.keyLength())
                .hash(bytes, salt)
                .getResult();
    }

    private String checkInput(CharSequence password) {
        Objects.requireNonNull(password, "password must not be null");
        if (password.length() > maxPasswordLength) {
            throw new PasswordException(
                    INVALID_PASSWORD, "password is longer than the limit of " + maxPasswordLength + " characters");
        }
        return password.toString();
    }

    /** The gate bounding this hasher's computations (for tests in this package's test support). */
    HashingGate gate() {
        return gate;
    }

    @Override
    public String toString() {
        return "PasswordHasher[" + parameters + ", pepper=" + (peppers == null ? "none" : peppers.currentKeyId())
                + ", maxConcurrentHashes=" + gate.capacity() + "]";
    }

    /** Builds a {@link PasswordHasher}. Not thread-safe; the hasher it builds is. */
    public static final class Builder {

        private HashParameters parameters = Argon2Parameters.owasp();
        private @Nullable Peppers peppers;
        private int maxConcurrentHashes = Math.max(2, Runtime.getRuntime().availableProcessors());
        private Duration maxWait = Duration.ofSeconds(5);
        private int maxPasswordLength = 4096;
        private SecureRandom random = new SecureRandom();

        private Builder() {}

        /**
         * The algorithm and parameters for new hashes; default {@link Argon2Parameters#owasp()}. Must meet the
         * OWASP minimums ({@link HashParameters#requireStrongEnoughForNewHashes()}).
         *
         * @param parameters Argon2id, bcrypt or scrypt parameters
         * @return this builder
         */
        public Builder parameters(HashParameters parameters) {
            Objects.requireNonNull(parameters, "parameters must not be null");
            parameters.requireStrongEnoughForNewHashes();
            this.parameters = parameters;
            return this;
        }

        /**
         * Mixes a server-side secret into every new hash; default none.
         *
         * @param peppers the pepper keys, or {@code null} for none
         * @return this builder
         */
        public Builder peppers(@Nullable Peppers peppers) {
            this.peppers = peppers;
            return this;
        }

        /**
         * How many hash computations may run at once; default {@code max(2, available processors)}. Each Argon2id
         * computation holds its memory cost (19 MiB by default).
         *
         * @param maxConcurrentHashes at least 1
         * @return this builder
         */
        public Builder maxConcurrentHashes(int maxConcurrentHashes) {
            if (maxConcurrentHashes < 1) {
                throw new PasswordException(INVALID_PARAMETERS, "maxConcurrentHashes must be at least 1");
            }
            this.maxConcurrentHashes = maxConcurrentHashes;
            return this;
        }

        /**
         * How long a caller waits for a free hashing slot before {@link PasswordException.Reason#BUSY}; default 5
         * seconds. {@link Duration#ZERO} fails fast.
         *
         * @param maxWait a non-negative duration
         * @return this builder
         */
        public Builder maxWait(Duration maxWait) {
            Objects.requireNonNull(maxWait, "maxWait must not be null");
            if (maxWait.isNegative()) {
                throw new PasswordException(INVALID_PARAMETERS, "maxWait must not be negative");
            }
            this.maxWait = maxWait;
            return this;
        }

        /**
         * Longest password accepted, in UTF-16 code units; default 4096. Guards the hasher against oversized
         * input; the user-facing limit belongs to {@link PasswordPolicy}.
         *
         * @param maxPasswordLength at least 64 (NIST SP 800-63B)
         * @return this builder
         */
        public Builder maxPasswordLength(int maxPasswordLength) {
            if (maxPasswordLength < 64) {
                throw new PasswordException(INVALID_PARAMETERS, "maxPasswordLength must be at least 64");
            }
            this.maxPasswordLength = maxPasswordLength;
            return this;
        }

        /**
         * The source of salts; default a new {@link SecureRandom}.
         *
         * @param random a cryptographically strong generator
         * @return this builder
         */
        public Builder secureRandom(SecureRandom random) {
            this.random = Objects.requireNonNull(random, "random must not be null");
            return this;
        }

        /**
         * Builds the hasher.
         *
         * @return an immutable, thread-safe hasher
         */
        public PasswordHasher build() {
            return new PasswordHasher(this);
        }
    }
}
