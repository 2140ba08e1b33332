package dev.gatehouse.core.jwt;

import java.time.Instant;
import java.util.Objects;

/**
 * A token just issued.
 *
 * @param value the compact serialization
 * @param jti its unique id (for revocation)
 * @param issuedAt {@code iat}
 * @param expiresAt {@code exp}
 * @param kid the signing key
 */
public record IssuedToken(String value, String jti, Instant issuedAt, Instant expiresAt, String kid) {

    /** Checks arguments. */
    public IssuedToken {
        Objects.requireNonNull(value, "value must not be null");
        Objects.requireNonNull(jti, "jti must not be null");
        Objects.requireNonNull(issuedAt, "issuedAt must not be null");
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
        Objects.requireNonNull(kid, "kid must not be null");
    }

    @Override
    public String toString() {
        // The token itself is a bearer credential: never printed.
        return "IssuedToken[jti=" + jti + ", kid=" + kid + ", expiresAt=" + expiresAt + "]";
    }
}
