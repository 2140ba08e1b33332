package dev.gatehouse.core.mfa;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.internal.OptionalLibrary;
import java.util.Locale;
import java.util.Objects;

/**
 * Thrown when a second factor cannot be enrolled, read or checked because of bad input or state. A wrong
 * code is not an exception (it is a {@link TotpVerification} or {@link RecoveryCodeRedemption} outcome).
 * Messages never contain a secret, a code or an otpauth URI.
 */
public final class MfaException extends GatehouseException {

    private static final long serialVersionUID = 1L;

    /** Why the operation failed. */
    public enum Reason {
        /** A TOTP secret is not valid RFC 4648 Base32, or shorter than 128 bits (RFC 4226 §4 R6). */
        INVALID_SECRET,
        /** Algorithm, digits, period, window or another parameter is outside the accepted range. */
        INVALID_PARAMETERS,
        /** An issuer or account name cannot go into an otpauth URI label (empty, too long, or a colon). */
        INVALID_LABEL,
        /** A user id or other argument is empty or too long. */
        INVALID_ARGUMENT,
        /** The user already has a confirmed factor; remove it before enrolling again. */
        ALREADY_ENROLLED,
        /** The QR code could not be rendered (content too long for a QR code). */
        QR_FAILED,
        /** A library this needs is not on the classpath (auth-core declares it optional); the message names it. */
        LIBRARY_MISSING;

        /**
         * The machine-readable code of this reason, e.g. {@code mfa.invalid_secret}.
         *
         * @return the code
         */
        public String code() {
            return "mfa." + name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    /** Fails with {@link Reason#LIBRARY_MISSING}, naming the dependency, unless {@code library} is present. */
    static void requireLibrary(OptionalLibrary library, String capability) {
        if (!library.isPresent()) {
            throw new MfaException(Reason.LIBRARY_MISSING, library.missingMessage(capability));
        }
    }

    MfaException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason must not be null");
    }

    MfaException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason must not be null");
    }

    /**
     * Why the operation failed.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }

    @Override
    public String code() {
        return reason.code();
    }
}
