package dev.gatehouse.core.jwt;

import com.nimbusds.jose.jwk.JWK;
import org.jspecify.annotations.Nullable;

/** Where a {@link TokenVerifier} finds verification keys. Internal: callers pass a ring, a JWKS or a URL. */
interface KeySource {

    /**
     * The key for {@code kid}, or null if unknown (a remote source may refresh first).
     *
     * @param kid the token's key id, or null if it has none
     * @param algorithm the token's algorithm
     * @return the key, or null
     */
    @Nullable
    JWK find(@Nullable String kid, JwsAlgorithm algorithm);
}
