package dev.gatehouse.server.keys;

import dev.gatehouse.core.jwt.TokenException;
import dev.gatehouse.core.jwt.TokenVerifier;
import dev.gatehouse.core.jwt.VerifiedToken;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * A Spring Security {@link JwtDecoder} over auth-core's {@link TokenVerifier}: used where the server itself accepts
 * its access tokens as bearer tokens (the OIDC UserInfo endpoint). The verifier insists on RFC 9068 ({@code typ:
 * at+jwt} and its required claims), refuses embedded keys and {@code alg: none}, and only knows the ring's keys.
 */
final class KeyRingJwtDecoder implements JwtDecoder {

    private final TokenVerifier verifier;

    /**
     * Creates the decoder.
     *
     * @param verifier a verifier configured for access tokens
     */
    KeyRingJwtDecoder(TokenVerifier verifier) {
        this.verifier = Objects.requireNonNull(verifier, "verifier must not be null");
    }

    @Override
    public Jwt decode(String token) {
        VerifiedToken verified;
        try {
            verified = verifier.verify(token);
        } catch (TokenException e) {
            throw new BadJwtException("invalid token: " + e.reason(), e);
        }
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("alg", verified.algorithm().joseName());
        verified.kid().ifPresent(kid -> headers.put("kid", kid));
        verified.type().ifPresent(typ -> headers.put("typ", typ));
        Map<String, Object> claims = new LinkedHashMap<>();
        verified.claims().forEach((k, v) -> claims.put(k, v instanceof Date d ? d.toInstant() : v));
        return new Jwt(
                token, verified.issuedAt().orElse(null), verified.expiresAt().orElse(null), headers, claims);
    }
}
