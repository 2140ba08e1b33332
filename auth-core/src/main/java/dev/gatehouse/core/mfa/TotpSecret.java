package dev.gatehouse.core.mfa;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * A TOTP shared secret (the HMAC key {@code K} of RFC 4226). Holds its bytes privately; {@link
 * #toString()} never shows them. Store it only sealed ({@link TotpService} does this with the {@code
 * crypto} envelope).
 */
public final class TotpSecret {

    /** RFC 4226 §4 R6: at least 128 bits; 160 recommended and the default. */
    public static final int MIN_BYTES = 16;

    /** The default length: 160 bits, the length of an HMAC-SHA-1 output (RFC 4226 §4). */
    public static final int DEFAULT_BYTES = 20;

    private static final int MAX_BYTES = 128;

    private final byte[] bytes;

    private TotpSecret(byte[] bytes) {
        if (bytes.length < MIN_BYTES || bytes.length > MAX_BYTES) {
            Arrays.fill(bytes, (byte) 0);
            throw new MfaException(
                    MfaException.Reason.INVALID_SECRET,
                    "secret must be " + MIN_BYTES + " to " + MAX_BYTES + " bytes (at least 128 bits, RFC 4226 §4)");
        }
        this.bytes = bytes;
    }

    /**
     * A new random secret.
     *
     * @param random a strong generator
     * @param length bytes, at least {@value #MIN_BYTES}; {@value #DEFAULT_BYTES} is the usual choice
     * @return the secret
     */
    public static TotpSecret generate(SecureRandom random, int length) {
        Objects.requireNonNull(random, "random must not be null");
        if (length < MIN_BYTES || length > MAX_BYTES) {
            throw new MfaException(
                    MfaException.Reason.INVALID_PARAMETERS,
                    "secret length must be " + MIN_BYTES + " to " + MAX_BYTES + " bytes, was " + length);
        }
        byte[] b = new byte[length];
        random.nextBytes(b);
        return new TotpSecret(b);
    }

    /**
     * A secret from raw bytes (copied).
     *
     * @param bytes at least 16 bytes
     * @return the secret
     * @throws MfaException if shorter than 128 bits
     */
    public static TotpSecret of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes must not be null");
        return new TotpSecret(bytes.clone());
    }

    /**
     * A secret from RFC 4648 Base32, as shown to users and put in otpauth URIs. Case, spaces, dashes and
     * padding are ignored.
     *
     * @param base32 the encoded secret
     * @return the secret
     * @throws MfaException if not valid Base32 or shorter than 128 bits; the message does not echo it
     */
    public static TotpSecret fromBase32(String base32) {
        Objects.requireNonNull(base32, "base32 must not be null");
        return new TotpSecret(Base32.decode(base32));
    }

    /**
     * The secret in upper-case RFC 4648 Base32 without padding, for the user to type into an app.
     *
     * @return the encoded secret
     */
    public String base32() {
        return Base32.encode(bytes);
    }

    /**
     * A copy of the raw secret; clear it after use.
     *
     * @return the bytes
     */
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * The length of the secret.
     *
     * @return bytes
     */
    public int length() {
        return bytes.length;
    }

    /** Zeroes the secret; this object is unusable afterwards. */
    public void destroy() {
        Arrays.fill(bytes, (byte) 0);
    }

    @Override
    public String toString() {
        return "TotpSecret[" + bytes.length * 8 + " bits, redacted]";
    }
}
