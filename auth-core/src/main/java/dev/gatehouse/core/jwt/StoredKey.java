package dev.gatehouse.core.jwt;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A key as a {@link KeyRepository} persists it: metadata in the clear, the private key sealed by the
 * {@link dev.gatehouse.core.crypto.Envelope} under the context {@code "gatehouse-jwk:" + kid}.
 *
 * @param kid key id
 * @param algorithm JOSE algorithm name
 * @param state life-cycle state
 * @param createdAt creation time
 * @param activatedAt activation time, if any
 * @param retiringAt time it stopped signing, if any
 * @param publicJwk public JWK JSON, empty for HMAC secrets
 * @param sealedPrivateJwk the sealed private JWK JSON
 */
public record StoredKey(
        String kid,
        String algorithm,
        KeyState state,
        Instant createdAt,
        @Nullable Instant activatedAt,
        @Nullable Instant retiringAt,
        String publicJwk,
        String sealedPrivateJwk) {

    /** Checks required fields. */
    public StoredKey {
        Objects.requireNonNull(kid, "kid must not be null");
        Objects.requireNonNull(algorithm, "algorithm must not be null");
        Objects.requireNonNull(state, "state must not be null");
        Objects.requireNonNull(createdAt, "createdAt must not be null");
        Objects.requireNonNull(publicJwk, "publicJwk must not be null");
        Objects.requireNonNull(sealedPrivateJwk, "sealedPrivateJwk must not be null");
    }

    @Override
    public String toString() {
        return "StoredKey[kid=" + kid + ", " + algorithm + ", " + state + "]";
    }
}
