package dev.gatehouse.core.password;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.internal.OptionalLibrary;
import java.util.Locale;
import java.util.Objects;

/**
 * Thrown when a password cannot be hashed or a stored hash cannot be used. The message never contains
 * the password or the stored hash.
 */
public final class PasswordException extends GatehouseException {

    private static final long serialVersionUID = 1L;

    /** Why the operation failed. */
    public enum Reason {
        /** The stored hash string is not well formed for any supported algorithm. */
        MALFORMED_HASH,
        /** The stored hash names an algorithm or variant Gatehouse does not accept. */
        UNSUPPORTED_ALGORITHM,
        /** Parameters are outside the accepted range (too weak for new hashes, or absurdly large). */
        INVALID_PARAMETERS,
        /** The password is empty or exceeds the hasher's input bound. */
        INVALID_PASSWORD,
        /** bcrypt only uses the first 72 bytes; longer passwords are refused rather than truncated. */
        PASSWORD_TOO_LONG_FOR_ALGORITHM,
        /** The stored hash was made with a pepper key this hasher does not hold. */
        UNKNOWN_PEPPER,
        /** All hashing slots stayed busy for the configured wait; the caller may retry later. */
        BUSY,
        /** A library this needs is not on the classpath (auth-core declares it optional); the message names it. */
        LIBRARY_MISSING;

        /**
         * The machine-readable code of this reason, e.g. {@code password.malformed_hash}.
         *
         * @return the code
         */
        public String code() {
            return "password." + name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    /** Fails with {@link Reason#LIBRARY_MISSING}, naming the dependency, unless {@code library} is present. */
    static void requireLibrary(OptionalLibrary library, String capability) {
        if (!library.isPresent()) {
            throw new PasswordException(Reason.LIBRARY_MISSING, library.missingMessage(capability));
        }
    }

    PasswordException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason must not be null");
    }

    PasswordException(Reason reason, String message, Throwable cause) {
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
