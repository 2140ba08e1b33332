package dev.gatehouse.core.mfa;

import com.warrenstrange.googleauth.GoogleAuthenticator;
import com.warrenstrange.googleauth.GoogleAuthenticatorConfig;
import com.warrenstrange.googleauth.HmacHashFunction;
import com.warrenstrange.googleauth.KeyRepresentation;
import java.util.Base64;

/**
 * HOTP/TOTP values through googleauth. googleauth computes a TOTP value from a time in milliseconds as
 * HOTP(K, floor(time / step)); passing {@code counter * step} therefore yields HOTP(K, counter) exactly, which
 * lets callers see which time step matched (googleauth's {@code authorize} does not say, and replay
 * protection needs it). The secret is handed over as Base64 so no Base32 quirks of the library apply.
 * Immutable and thread-safe (googleauth creates a {@code Mac} per call).
 */
final class GoogleAuthOtp {

    /** googleauth's step size; any value works, 1 s keeps {@code counter * step} far from overflow. */
    private static final long STEP_MILLIS = 1_000L;

    private final GoogleAuthenticator authenticator;
    private final int digits;

    /**
     * An engine for one algorithm and code length.
     *
     * @param jcaAlgorithm {@code HmacSHA1}, {@code HmacSHA256} or {@code HmacSHA512}
     * @param digits 6 to 8
     */
    GoogleAuthOtp(String jcaAlgorithm, int digits) {
        GoogleAuthenticatorConfig config = new GoogleAuthenticatorConfig.GoogleAuthenticatorConfigBuilder()
                .setHmacHashFunction(HmacHashFunction.valueOf(jcaAlgorithm))
                .setCodeDigits(digits)
                .setTimeStepSizeInMillis(STEP_MILLIS)
                .setKeyRepresentation(KeyRepresentation.BASE64)
                .build();
        this.authenticator = new GoogleAuthenticator(config);
        this.digits = digits;
    }

    /**
     * Encodes a secret once for repeated {@link #hotp} calls.
     *
     * @param secret the raw key
     * @return the key as googleauth reads it
     */
    static String encodeKey(byte[] secret) {
        return Base64.getEncoder().encodeToString(secret);
    }

    /**
     * HOTP(K, counter) (RFC 4226 §5.3), zero-padded to the configured number of digits.
     *
     * @param encodedKey from {@link #encodeKey}
     * @param counter the moving factor, {@code 0 <= counter < 2^53}
     * @return the code
     */
    String hotp(String encodedKey, long counter) {
        int value = authenticator.getTotpPassword(encodedKey, Math.multiplyExact(counter, STEP_MILLIS));
        return pad(value);
    }

    private String pad(int value) {
        String s = Integer.toString(value);
        return s.length() >= digits ? s : "0".repeat(digits - s.length()) + s;
    }
}
