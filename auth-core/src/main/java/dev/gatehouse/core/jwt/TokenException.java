package dev.gatehouse.core.jwt;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.internal.OptionalLibrary;
import java.util.Locale;
import java.util.Objects;

/**
 * Thrown when a token is refused or cannot be issued. The {@link #reason()} is machine-readable; the
 * message explains the problem without echoing the token or any key material.
 */
public final class TokenException extends GatehouseException {

    private static final long serialVersionUID = 1L;

    /** Why a token was refused or could not be issued. */
    public enum Reason {
        /** Not a compact JWS: wrong segment count, bad Base64url, bad JSON (RFC 7515 §7.1). */
        MALFORMED,
        /** Larger than the verifier's maximum size. */
        TOO_LARGE,
        /** {@code alg: none} (RFC 7519 §6): unsecured tokens are never accepted. */
        UNSECURED,
        /** The algorithm is not in the verifier's allowed set, or does not match the key (key confusion). */
        ALGORITHM_NOT_ALLOWED,
        /** No verification key with the token's {@code kid}. */
        KEY_NOT_FOUND,
        /** A {@code jwk}, {@code jku}, {@code x5u} or {@code x5c} header: keys from the token are never trusted. */
        EMBEDDED_KEY,
        /** A {@code crit} header naming extensions this verifier does not understand (RFC 7515 §4.1.11). */
        UNSUPPORTED_CRITICAL_HEADER,
        /** The {@code typ} header is not the expected one (e.g. {@code at+jwt}, RFC 9068 §4). */
        WRONG_TYPE,
        /** The signature does not verify. */
        BAD_SIGNATURE,
        /** {@code exp} has passed (allowing for clock skew). */
        EXPIRED,
        /** {@code nbf} or {@code iat} is in the future (allowing for clock skew). */
        NOT_YET_VALID,
        /** {@code iss} is not an expected issuer. */
        WRONG_ISSUER,
        /** {@code aud} names none of the expected audiences. */
        WRONG_AUDIENCE,
        /** A required claim is absent. */
        MISSING_CLAIM,
        /** The token's {@code jti} has been revoked. */
        REVOKED,
        /** The remote JWKS could not be fetched or parsed. */
        JWKS_UNAVAILABLE,
        /** A key, secret or option is unsuitable (e.g. an HS256 secret under 256 bits, RFC 7518 §3.2). */
        INVALID_KEY,
        /** No active signing key in the key ring. */
        NO_ACTIVE_KEY,
        /** A library this needs is not on the classpath (auth-core declares it optional); the message names it. */
        LIBRARY_MISSING;

        /**
         * The machine-readable code, e.g. {@code token.expired}.
         *
         * @return the code
         */
        public String code() {
            return "token." + name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    /** Fails with {@link Reason#LIBRARY_MISSING}, naming the dependency, unless {@code library} is present. */
    static void requireLibrary(OptionalLibrary library, String capability) {
        if (!library.isPresent()) {
            throw new TokenException(Reason.LIBRARY_MISSING, library.missingMessage(capability));
        }
    }

    TokenException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason must not be null");
    }

    TokenException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason must not be null");
    }

    /**
     * Why the token was refused.
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
