package dev.gatehouse.core.password;

import static dev.gatehouse.core.password.PasswordException.Reason.INVALID_PARAMETERS;
import static dev.gatehouse.core.password.PasswordException.Reason.MALFORMED_HASH;
import static dev.gatehouse.core.password.PasswordException.Reason.UNSUPPORTED_ALGORITHM;

import com.password4j.BcryptFunction;
import com.password4j.ScryptFunction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A parsed stored hash. Parsing is strict and done here, before any library sees the string, so a
 * malformed or hostile value yields a {@link PasswordException} with a clear message rather than an
 * exception from deep inside a library, and parameters beyond hard ceilings are refused before any work.
 * Messages never include the stored string.
 */
sealed interface StoredHash {

    String PEPPER_PREFIX = "$pepper$kid=";

    HashAlgorithm algorithm();

    /** Whether a rehash under {@code policy} would strengthen this hash (ignoring pepper). */
    boolean weakerThan(HashParameters policy);

    /** Recomputes the hash of {@code input} with this hash's salt and parameters; constant-time compare. */
    boolean matches(String input);

    /**
     * Refuses, before any work, a stored hash that demands more than a hasher with {@code policy} may spend on one
     * verification, so a hostile or corrupted row cannot make a node allocate gigabytes.
     */
    default void requireWithinCeilings(HashParameters policy) {}

    /** The UTF-8 length limit of the input, or {@code Integer.MAX_VALUE}. */
    default int maxInputBytes() {
        return Integer.MAX_VALUE;
    }

    /** A stored hash made under a pepper key. */
    record Peppered(String keyId, StoredHash inner) {}

    /** Parses an optional pepper envelope, then the inner hash. */
    static Peppered parseWithPepper(String encoded) {
        if (encoded.startsWith(PEPPER_PREFIX)) {
            int end = encoded.indexOf('$', PEPPER_PREFIX.length());
            if (end <= PEPPER_PREFIX.length()) {
                throw malformed("a $pepper$ hash must be $pepper$kid=<id>$<hash>");
            }
            return new Peppered(encoded.substring(PEPPER_PREFIX.length(), end), parse(encoded.substring(end)));
        }
        return new Peppered("", parse(encoded));
    }

    static StoredHash parse(String encoded) {
        if (encoded.isEmpty() || encoded.length() > 2048) {
            throw malformed("a stored hash must be between 1 and 2048 characters");
        }
        if (encoded.startsWith("$argon2")) {
            return Argon2Hash.parse(encoded);
        }
        if (encoded.startsWith("$2")) {
            return BcryptHash.parse(encoded);
        }
        if (encoded.startsWith("$pbkdf2-sha256$") || encoded.startsWith("pbkdf2_sha256$")) {
            return Pbkdf2Hash.parse(encoded);
        }
        if (encoded.startsWith("$pbkdf2") || encoded.startsWith("pbkdf2_")) {
            throw new PasswordException(
                    UNSUPPORTED_ALGORITHM, "only PBKDF2 with HMAC-SHA256 is accepted for legacy hashes");
        }
        if (ScryptHash.FORMAT.matcher(encoded).matches()) {
            return ScryptHash.parse(encoded);
        }
        throw new PasswordException(
                UNSUPPORTED_ALGORITHM,
                "stored hash is not in a recognised format; expected $argon2id$, $2a$/$2b$/$2y$ (bcrypt), "
                        + "$<hex>$salt$key (scrypt), $pbkdf2-sha256$ or pbkdf2_sha256$");
    }

    static PasswordException malformed(String why) {
        return new PasswordException(MALFORMED_HASH, "malformed stored hash: " + why);
    }

    static byte[] decodeBase64(String s, String what) {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw malformed(what + " is not valid Base64");
        }
    }

    /**
     * {@code $argon2id$v=19$m=..,t=..,p=..$salt$hash} (PHC string format, as the reference implementation, libsodium,
     * Spring Security and Password4j write it). Parsed strictly: decimal numbers without leading zeros, no optional
     * PHC fields, canonical unpadded Base64, salt 8 to 1024 bytes and tag 4 to 1024 bytes (RFC 9106 §3.1), and
     * memory, passes and lanes within {@link Argon2Parameters}' ceilings before anything is allocated.
     */
    record Argon2Hash(HashAlgorithm algorithm, int version, Argon2Parameters parameters, byte[] salt, byte[] hash)
            implements StoredHash {

        private static final Pattern FORMAT = Pattern.compile(
                "\\$argon2(id|i|d)\\$(?:v=([1-9]\\d{0,2})\\$)?"
                        + "m=([1-9]\\d{0,9}),t=([1-9]\\d{0,9}),p=([1-9]\\d{0,2})\\$([A-Za-z0-9+/]{11,1366})\\$([A-Za-z0-9+/]{6,1366})");

        /** A stored hash may demand this much memory (256 MiB) unless the hasher's own parameters demand more. */
        static final int MAX_STORED_MEMORY_KIB = 256 * 1024;

        /** ... and this much work, memory times passes (256 MiB times 8), unless the hasher's own demand more. */
        static final long MAX_STORED_WORK = (long) MAX_STORED_MEMORY_KIB * 8;

        private static final Base64.Encoder PHC_BASE64 = Base64.getEncoder().withoutPadding();

        static Argon2Hash parse(String encoded) {
            Matcher m = FORMAT.matcher(encoded);
            if (!m.matches()) {
                throw malformed("expected $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>");
            }
            HashAlgorithm algorithm = switch (m.group(1)) {
                case "id" -> HashAlgorithm.ARGON2ID;
                case "i" -> HashAlgorithm.ARGON2I;
                default -> HashAlgorithm.ARGON2D;
            };
            int version = m.group(2) == null ? 0x10 : Integer.parseInt(m.group(2));
            if (version != 0x13 && version != 0x10) {
                throw new PasswordException(UNSUPPORTED_ALGORITHM, "Argon2 version must be 19 or 16, was " + version);
            }
            long memory = Long.parseLong(m.group(3));
            long iterations = Long.parseLong(m.group(4));
            if (memory > Argon2Parameters.MAX_MEMORY_KIB || iterations > Argon2Parameters.MAX_ITERATIONS) {
                throw new PasswordException(INVALID_PARAMETERS, "stored Argon2 hash exceeds the cost ceiling");
            }
            byte[] salt = decodePhcBase64(m.group(6), "Argon2 salt");
            byte[] hash = decodePhcBase64(m.group(7), "Argon2 hash");
            if (salt.length < 8 || salt.length > 1024 || hash.length < 4 || hash.length > 1024) {
                throw malformed("Argon2 salt must be 8 to 1024 bytes and hash 4 to 1024 bytes");
            }
            Argon2Parameters parameters = new Argon2Parameters(
                    (int) memory, (int) iterations, Integer.parseInt(m.group(5)), hash.length, salt.length);
            return new Argon2Hash(algorithm, version, parameters, salt, hash);
        }

        /** The PHC string of an Argon2id (v=19) tag. */
        static String encode(Argon2Parameters parameters, byte[] salt, byte[] hash) {
            return "$argon2id$v=19$m=" + parameters.memoryKiB() + ",t=" + parameters.iterations() + ",p="
                    + parameters.parallelism() + "$" + PHC_BASE64.encodeToString(salt) + "$"
                    + PHC_BASE64.encodeToString(hash);
        }

        /** PHC's B64: standard alphabet, no padding, and only the canonical encoding of the bytes. */
        private static byte[] decodePhcBase64(String s, String what) {
            if (s.length() % 4 == 1) {
                throw malformed(what + " is not valid Base64");
            }
            byte[] bytes = decodeBase64(s, what);
            if (!PHC_BASE64.encodeToString(bytes).equals(s)) {
                throw malformed(what + " is not canonical Base64 (non-zero trailing bits)");
            }
            return bytes;
        }

        @Override
        public boolean weakerThan(HashParameters policy) {
            return algorithm != policy.algorithm() || version != 0x13 || parameters.weakerThan(policy);
        }

        @Override
        public void requireWithinCeilings(HashParameters policy) {
            long memory = parameters.memoryKiB();
            long work = memory * parameters.iterations();
            long maxMemory = MAX_STORED_MEMORY_KIB;
            long maxWork = MAX_STORED_WORK;
            if (policy instanceof Argon2Parameters own) {
                maxMemory = Math.max(maxMemory, own.memoryKiB());
                maxWork = Math.max(maxWork, (long) own.memoryKiB() * own.iterations());
            }
            if (memory > maxMemory || work > maxWork) {
                throw new PasswordException(
                        INVALID_PARAMETERS,
                        "stored Argon2 hash demands m=" + memory + " KiB, t=" + parameters.iterations()
                                + ", beyond the ceiling for stored hashes (" + maxMemory + " KiB and memory times "
                                + "passes " + maxWork + ", or this hasher's own parameters when higher)");
            }
        }

        @Override
        public boolean matches(String input) {
            byte[] computed = Argon2Engine.hash(
                    algorithm, version, parameters, input.getBytes(StandardCharsets.UTF_8), salt, hash.length);
            return MessageDigest.isEqual(computed, hash);
        }
    }

    /** {@code $2a$}, {@code $2b$} or {@code $2y$}, two-digit cost, 22 salt and 31 hash characters. */
    record BcryptHash(String encoded, BcryptParameters parameters) implements StoredHash {

        private static final Pattern FORMAT = Pattern.compile("\\$2([aby])\\$(\\d{2})\\$[./A-Za-z0-9]{53}");

        static BcryptHash parse(String encoded) {
            Matcher m = FORMAT.matcher(encoded);
            if (!m.matches()) {
                if (encoded.startsWith("$2x$") || encoded.startsWith("$2$")) {
                    throw new PasswordException(
                            UNSUPPORTED_ALGORITHM, "bcrypt $2x$ and $2$ hashes are not accepted (known flaws)");
                }
                throw malformed("expected $2a$, $2b$ or $2y$, a two-digit cost and 53 characters of salt and hash");
            }
            return new BcryptHash(encoded, new BcryptParameters(Integer.parseInt(m.group(2))));
        }

        @Override
        public HashAlgorithm algorithm() {
            return HashAlgorithm.BCRYPT;
        }

        @Override
        public boolean weakerThan(HashParameters policy) {
            return parameters.weakerThan(policy);
        }

        @Override
        public int maxInputBytes() {
            return 72;
        }

        @Override
        public boolean matches(String input) {
            if (BcryptFunction.getInstanceFromHash(encoded).check(input, encoded)) {
                return true;
            }
            // "$2a$" means two things for passwords with 8-bit bytes: crypt_blowfish (PHP, Password4j) adds
            // a countermeasure against the old sign-extension bug, while OpenBSD, jBCrypt, Spring Security and
            // pyca hash exactly as "$2b$". Accept either reading so hashes imported from both families verify;
            // for ASCII passwords the two are identical, so nothing is computed twice.
            if (encoded.startsWith("$2a$") && !isAscii(input)) {
                String asB = "$2b$" + encoded.substring(4);
                return BcryptFunction.getInstanceFromHash(asB).check(input, asB);
            }
            return false;
        }

        private static boolean isAscii(String s) {
            return s.chars().allMatch(c -> c < 0x80);
        }
    }

    /**
     * scrypt as Spring Security's {@code SCryptPasswordEncoder} and Password4j write it: {@code
     * $<hex(log2(N)<<16 | r<<8 | p)>$<base64 salt>$<base64 key>}.
     */
    record ScryptHash(ScryptParameters parameters, byte[] salt, byte[] key) implements StoredHash {

        static final Pattern FORMAT =
                Pattern.compile("\\$([0-9a-f]{1,8})\\$([A-Za-z0-9+/]+={0,2})\\$([A-Za-z0-9+/]+={0,2})");

        static ScryptHash parse(String encoded) {
            Matcher m = FORMAT.matcher(encoded);
            if (!m.matches()) {
                throw malformed("expected scrypt as $<hex params>$<salt>$<key>");
            }
            long params = Long.parseLong(m.group(1), 16);
            int log2n = (int) (params >> 16 & 0xffff);
            if (log2n < 1 || log2n > 30) {
                throw new PasswordException(INVALID_PARAMETERS, "stored scrypt hash has log2(N) outside 1..30");
            }
            byte[] salt = decodeBase64(m.group(2), "scrypt salt");
            byte[] key = decodeBase64(m.group(3), "scrypt key");
            return new ScryptHash(
                    new ScryptParameters(1 << log2n, (int) (params >> 8 & 0xff), (int) (params & 0xff), key.length),
                    salt,
                    key);
        }

        @Override
        public HashAlgorithm algorithm() {
            return HashAlgorithm.SCRYPT;
        }

        @Override
        public boolean weakerThan(HashParameters policy) {
            return parameters.weakerThan(policy);
        }

        @Override
        public boolean matches(String input) {
            byte[] computed = ScryptFunction.getInstance(
                            parameters.cpuMemoryCost(),
                            parameters.blockSize(),
                            parameters.parallelization(),
                            key.length)
                    .hash(input.getBytes(StandardCharsets.UTF_8), salt)
                    .getBytes();
            return MessageDigest.isEqual(computed, key);
        }
    }

    /**
     * PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) for legacy imports: PHC {@code $pbkdf2-sha256$i=N[,l=L]$salt$hash}
     * (standard Base64), passlib {@code $pbkdf2-sha256$N$salt$hash} (its "ab64" alphabet) and Django
     * {@code pbkdf2_sha256$N$salt$base64hash} (the salt is used as its UTF-8 text).
     */
    record Pbkdf2Hash(int iterations, byte[] salt, byte[] hash) implements StoredHash {

        static final int MAX_ITERATIONS = 10_000_000;

        private static final Pattern PHC = Pattern.compile(
                "\\$pbkdf2-sha256\\$i=(\\d{1,9})(?:,l=\\d{1,4})?\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)");
        private static final Pattern PASSLIB =
                Pattern.compile("\\$pbkdf2-sha256\\$(\\d{1,9})\\$([A-Za-z0-9./]+)\\$([A-Za-z0-9./]+)");
        private static final Pattern DJANGO =
                Pattern.compile("pbkdf2_sha256\\$(\\d{1,9})\\$([^$]{1,128})\\$([A-Za-z0-9+/]+={0,2})");

        static Pbkdf2Hash parse(String encoded) {
            Matcher m;
            int iterations;
            byte[] salt;
            byte[] hash;
            if ((m = PHC.matcher(encoded)).matches()) {
                iterations = Integer.parseInt(m.group(1));
                salt = decodeBase64(m.group(2), "PBKDF2 salt");
                hash = decodeBase64(m.group(3), "PBKDF2 hash");
            } else if ((m = PASSLIB.matcher(encoded)).matches()) {
                iterations = Integer.parseInt(m.group(1));
                salt = decodeBase64(m.group(2).replace('.', '+'), "PBKDF2 salt");
                hash = decodeBase64(m.group(3).replace('.', '+'), "PBKDF2 hash");
            } else if ((m = DJANGO.matcher(encoded)).matches()) {
                iterations = Integer.parseInt(m.group(1));
                salt = m.group(2).getBytes(StandardCharsets.UTF_8);
                hash = decodeBase64(m.group(3), "PBKDF2 hash");
            } else {
                throw malformed("expected $pbkdf2-sha256$i=<iterations>$<salt>$<hash> or "
                        + "pbkdf2_sha256$<iterations>$<salt>$<hash>");
            }
            if (iterations < 1 || iterations > MAX_ITERATIONS) {
                throw new PasswordException(
                        INVALID_PARAMETERS, "stored PBKDF2 iterations must be between 1 and " + MAX_ITERATIONS);
            }
            if (hash.length < 16 || hash.length > 128) {
                throw malformed("PBKDF2 hash must be 16 to 128 bytes");
            }
            return new Pbkdf2Hash(iterations, salt, hash);
        }

        @Override
        public HashAlgorithm algorithm() {
            return HashAlgorithm.PBKDF2_SHA256;
        }

        @Override
        public boolean weakerThan(HashParameters policy) {
            return true;
        }

        @Override
        public boolean matches(String input) {
            PBEKeySpec spec = new PBEKeySpec(input.toCharArray(), salt, iterations, hash.length * 8);
            try {
                byte[] computed = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                        .generateSecret(spec)
                        .getEncoded();
                return MessageDigest.isEqual(computed, hash);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("PBKDF2WithHmacSHA256 is unavailable in this JDK", e);
            } finally {
                spec.clearPassword();
            }
        }
    }
}
