package dev.gatehouse.core.mfa;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * Builds {@code otpauth://totp/} URIs in the Key URI Format that authenticator apps read from QR codes
 * (github.com/google/google-authenticator/wiki/Key-Uri-Format):
 *
 * <pre>otpauth://totp/ACME%20Co:alice@example.com?secret=JBSW...&amp;issuer=ACME%20Co&amp;algorithm=SHA1&amp;digits=6&amp;period=30</pre>
 *
 * <p>The label is {@code issuer ":" account}, each part percent-encoded as UTF-8 (RFC 3986 §2.1; a space is
 * {@code %20}, never {@code +}); the issuer is repeated as a parameter, as the format recommends. Neither
 * part may contain a colon (the format forbids it: apps split the label at the colon). The result contains
 * the secret: show it once, never log it.
 */
public final class OtpAuthUri {

    static final int MAX_ISSUER_LENGTH = 100;
    static final int MAX_ACCOUNT_LENGTH = 255;

    private OtpAuthUri() {}

    /**
     * The otpauth URI for a TOTP secret.
     *
     * @param issuer the service name shown in the app, e.g. {@code ACME Co}
     * @param account the account name, e.g. an e-mail address
     * @param secret the shared secret
     * @param parameters algorithm, digits and period (the window is the server's business, not the app's)
     * @return the URI
     * @throws MfaException if the issuer or account is blank, too long, contains a colon or a control character
     */
    public static String totp(String issuer, String account, TotpSecret secret, TotpParameters parameters) {
        Objects.requireNonNull(secret, "secret must not be null");
        Objects.requireNonNull(parameters, "parameters must not be null");
        String encodedIssuer = encode(checkLabelPart(issuer, "issuer", MAX_ISSUER_LENGTH));
        String encodedAccount = encode(checkLabelPart(account, "account", MAX_ACCOUNT_LENGTH));
        return "otpauth://totp/" + encodedIssuer + ":" + encodedAccount
                + "?secret=" + secret.base32()
                + "&issuer=" + encodedIssuer
                + "&algorithm=" + parameters.algorithm().uriName()
                + "&digits=" + parameters.digits()
                + "&period=" + parameters.periodSeconds();
    }

    static String checkLabelPart(String value, String what, int maxLength) {
        Objects.requireNonNull(value, what + " must not be null");
        if (value.isBlank()) {
            throw new MfaException(MfaException.Reason.INVALID_LABEL, what + " must not be blank");
        }
        if (value.length() > maxLength) {
            throw new MfaException(
                    MfaException.Reason.INVALID_LABEL, what + " must be at most " + maxLength + " characters");
        }
        if (value.indexOf(':') >= 0) {
            throw new MfaException(
                    MfaException.Reason.INVALID_LABEL,
                    what + " must not contain a colon: apps split the otpauth label \"issuer:account\" at it "
                            + "(Key URI Format)");
        }
        if (value.codePoints().anyMatch(Character::isISOControl)) {
            throw new MfaException(MfaException.Reason.INVALID_LABEL, what + " must not contain control characters");
        }
        return value;
    }

    /** RFC 3986 percent-encoding of UTF-8 bytes; only unreserved characters and {@code @} stay as they are. */
    static String encode(String value) {
        StringBuilder out = new StringBuilder(value.length() * 3);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~'
                    || c == '@') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return out.toString();
    }
}
