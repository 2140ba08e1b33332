package dev.gatehouse.core.jwt;

import java.time.Instant;

/**
 * Revoked token ids ({@code jti}), checked by a {@link TokenVerifier} when configured. An entry only needs
 * to live until the token would have expired anyway. In-memory: {@link InMemoryTokenDenylist}; the server
 * adds a JDBC one so revocation holds across nodes.
 */
public interface TokenDenylist {

    /**
     * Revokes a token.
     *
     * @param jti the token id
     * @param expiresAt the token's {@code exp}; the entry may be dropped after it
     */
    void revoke(String jti, Instant expiresAt);

    /**
     * Whether a token id is revoked.
     *
     * @param jti the token id
     * @return {@code true} if revoked
     */
    boolean isRevoked(String jti);
}
