package dev.gatehouse.core.mfa;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Single-use recovery codes: the way back in when the authenticator is lost. Built once with {@link
 * #builder()}, then immutable and thread-safe.
 *
 * <pre>{@code
 * RecoveryCodes codes = RecoveryCodes.builder().hashKey(serverKey).store(store).build();
 * List<String> shown = codes.generate(user.id());          // show once: "7kq3-m9xd-2hpa", ...
 * if (codes.redeem(user.id(), typed) instanceof RecoveryCodeRedemption.Accepted a && a.remaining() <= 2) {
 *     suggestRegenerating();
 * }
 * }</pre>
 *
 * <p>Defaults: 10 codes of 12 characters from Crockford's Base32 alphabet ({@code 0-9 a-z} without {@code
 * i l o u}), so 60 random bits each, shown as {@code xxxx-xxxx-xxxx}. Input is normalised before checking:
 * case, spaces and dashes are ignored and the look-alikes {@code o}, {@code i} and {@code l} read as {@code
 * 0}, {@code 1}, {@code 1} (Crockford's decoding rules).
 *
 * <p>Codes are stored only as {@code HMAC-SHA256(serverKey, userId, code)}. A slow password hash is not needed
 * here: the codes are 60-bit uniformly random values, not human choices, so a stolen table cannot be
 * attacked with guesses; without the server key it cannot be attacked at all, and with it each code still
 * needs about 2^59 HMACs. A slow hash would instead cost up to ten Argon2 computations per attempt (the code
 * says nothing about which stored hash it should match), an amplifier for denial of service. Binding the user
 * id means a hash copied to another account is useless. Consumption is a single atomic delete in the store,
 * so of two concurrent uses of one code exactly one succeeds.
 */
public final class RecoveryCodes {

    /** Crockford's Base32 alphabet, lower case: no i, l, o, u. */
    static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

    static final int CODE_LENGTH = 12;
    static final int GROUP = 4;
    private static final String HASH_PREFIX = "rc1$";
    private static final byte[] DOMAIN = "gatehouse-recovery-code-v1".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec key;
    private final RecoveryCodeStore store;
    private final SecureRandom random;
    private final int count;

    private RecoveryCodes(Builder b) {
        byte[] k = Objects.requireNonNull(b.key, "hashKey must be set");
        this.key = new SecretKeySpec(k, "HmacSHA256");
        this.store = b.store;
        this.random = b.random;
        this.count = b.count;
    }

    /**
     * A builder; {@link Builder#hashKey} is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Generates a fresh set for a user, replacing (and so invalidating) any previous set.
     *
     * @param userId the user
     * @return the codes in display form, to show once; they are not stored anywhere
     */
    public List<String> generate(String userId) {
        TotpService.checkUserId(userId);
        List<String> shown = new ArrayList<>(count);
        Set<String> hashes = new LinkedHashSet<>();
        while (shown.size() < count) {
            String canonical = randomCode();
            if (hashes.add(hash(userId, canonical))) {
                shown.add(format(canonical));
            }
        }
        store.replaceAll(userId, hashes);
        return List.copyOf(shown);
    }

    /**
     * Uses a code: if it is one of the user's unused codes it is consumed (atomically) and accepted.
     *
     * @param userId the user
     * @param code the code as typed (case, spaces and dashes ignored)
     * @return {@link RecoveryCodeRedemption.Accepted} or {@link RecoveryCodeRedemption.Rejected}, with how many
     *     remain
     */
    public RecoveryCodeRedemption redeem(String userId, CharSequence code) {
        TotpService.checkUserId(userId);
        Objects.requireNonNull(code, "code must not be null");
        String canonical = normalize(code);
        boolean accepted = canonical != null && store.consume(userId, hash(userId, canonical));
        int remaining = store.remaining(userId);
        return accepted
                ? new RecoveryCodeRedemption.Accepted(remaining)
                : new RecoveryCodeRedemption.Rejected(remaining);
    }

    /**
     * How many unused codes a user has.
     *
     * @param userId the user
     * @return the count
     */
    public int remaining(String userId) {
        TotpService.checkUserId(userId);
        return store.remaining(userId);
    }

    /**
     * Removes all of a user's codes (e.g. when MFA is turned off).
     *
     * @param userId the user
     * @return whether there were any
     */
    public boolean revokeAll(String userId) {
        TotpService.checkUserId(userId);
        return store.deleteAll(userId);
    }

    /**
     * The canonical form of a typed code: lower case, no spaces or dashes, {@code o→0}, {@code i,l→1}.
     *
     * @param code the code as typed
     * @return the 12-character canonical code, or {@code null} if it cannot be a recovery code
     */
    static @Nullable String normalize(CharSequence code) {
        if (code.length() > 64) {
            return null;
        }
        StringBuilder sb = new StringBuilder(CODE_LENGTH);
        for (int i = 0; i < code.length(); i++) {
            char c = Character.toLowerCase(code.charAt(i));
            if (c == ' ' || c == '-' || c == '\t') {
                continue;
            }
            c = switch (c) {
                case 'o' -> '0';
                case 'i', 'l' -> '1';
                default -> c;
            };
            if (c > 0x7f || ALPHABET.indexOf(c) < 0) {
                return null;
            }
            sb.append(c);
        }
        return sb.length() == CODE_LENGTH ? sb.toString() : null;
    }

    private String randomCode() {
        // 12 symbols of 5 bits from 60 random bits: uniform, no modulo bias.
        byte[] b = new byte[8];
        random.nextBytes(b);
        long bits = 0;
        for (byte x : b) {
            bits = (bits << 8) | (x & 0xff);
        }
        char[] out = new char[CODE_LENGTH];
        for (int i = 0; i < CODE_LENGTH; i++) {
            out[i] = ALPHABET.charAt((int) (bits >>> (5 * i)) & 31);
        }
        Arrays.fill(b, (byte) 0);
        return new String(out);
    }

    private static String format(String canonical) {
        StringBuilder sb = new StringBuilder(CODE_LENGTH + CODE_LENGTH / GROUP);
        for (int i = 0; i < canonical.length(); i++) {
            if (i > 0 && i % GROUP == 0) {
                sb.append('-');
            }
            sb.append(canonical.charAt(i));
        }
        return sb.toString();
    }

    private String hash(String userId, String canonical) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(DOMAIN);
            mac.update((byte) 0);
            mac.update(userId.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return HASH_PREFIX
                    + Base64.getUrlEncoder()
                            .withoutPadding()
                            .encodeToString(mac.doFinal(canonical.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JDK", e);
        }
    }

    @Override
    public String toString() {
        return "RecoveryCodes[count=" + count + ", store=" + store.getClass().getSimpleName() + "]";
    }

    /** Builds {@link RecoveryCodes}. Not thread-safe; what it builds is. */
    public static final class Builder {

        private byte @Nullable [] key;
        private RecoveryCodeStore store = new InMemoryRecoveryCodeStore();
        private SecureRandom random = new SecureRandom();
        private int count = 10;

        private Builder() {}

        /**
         * The server-side HMAC key the hashes are made with; required. Keep it apart from the database (e.g.
         * sealed by the master key or in a secret manager); changing it invalidates every stored code.
         *
         * @param key at least 32 bytes; copied
         * @return this builder
         */
        public Builder hashKey(byte[] key) {
            Objects.requireNonNull(key, "key must not be null");
            if (key.length < 32) {
                throw new MfaException(
                        MfaException.Reason.INVALID_PARAMETERS, "recovery-code hash key must be at least 32 bytes");
            }
            this.key = key.clone();
            return this;
        }

        /**
         * Where hashes live; default a new {@link InMemoryRecoveryCodeStore}.
         *
         * @param store the store
         * @return this builder
         */
        public Builder store(RecoveryCodeStore store) {
            this.store = Objects.requireNonNull(store, "store must not be null");
            return this;
        }

        /**
         * The source of codes; default a new {@link SecureRandom}.
         *
         * @param random a strong generator
         * @return this builder
         */
        public Builder secureRandom(SecureRandom random) {
            this.random = Objects.requireNonNull(random, "random must not be null");
            return this;
        }

        /**
         * How many codes a set has; default 10.
         *
         * @param count 1 to 50
         * @return this builder
         */
        public Builder count(int count) {
            if (count < 1 || count > 50) {
                throw new MfaException(
                        MfaException.Reason.INVALID_PARAMETERS, "recovery code count must be 1 to 50, was " + count);
            }
            this.count = count;
            return this;
        }

        /**
         * Builds the service.
         *
         * @return an immutable, thread-safe service
         * @throws NullPointerException if no hash key was set
         */
        public RecoveryCodes build() {
            return new RecoveryCodes(this);
        }
    }
}
