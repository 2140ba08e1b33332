package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.core.jwt.TokenException;
import dev.gatehouse.core.jwt.TokenVerifier;
import dev.gatehouse.core.jwt.VerifiedToken;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * A Spring Security {@link JwtDecoder} backed by Gatehouse's {@link TokenVerifier}, so a resource server
 * applies the same checks as every other Gatehouse component (algorithm allow-list, key confusion, embedded
 * keys, {@code typ}, time, issuer, audience, size). Refusals become {@link BadJwtException} with the
 * Gatehouse code in the message (never the token), which Spring turns into a 401 with {@code
 * WWW-Authenticate: Bearer error="invalid_token"} (RFC 6750 §3.1). An unreachable JWKS becomes a plain
 * {@link JwtException}.
 */
public final class GatehouseJwtDecoder implements JwtDecoder {

    private final Supplier<TokenVerifier> verifier;

    /**
     * A decoder over a verifier, created on first use (so the issuer need not be up when the app starts).
     *
     * @param verifier supplies the verifier once
     */
    public GatehouseJwtDecoder(Supplier<TokenVerifier> verifier) {
        Objects.requireNonNull(verifier, "verifier must not be null");
        this.verifier = new Supplier<>() {
            private volatile @Nullable TokenVerifier instance;

            @Override
            public TokenVerifier get() {
                TokenVerifier v = instance;
                if (v == null) {
                    synchronized (this) {
                        v = instance;
                        if (v == null) {
                            v = verifier.get();
                            instance = v;
                        }
                    }
                }
                return v;
            }
        };
    }

    /**
     * A decoder over a verifier built already, such as one over the application's own key ring (the authorization
     * server accepts its own access tokens at UserInfo, the admin API and the actuator this way).
     *
     * @param verifier the verifier
     * @return the decoder
     */
    public static GatehouseJwtDecoder of(TokenVerifier verifier) {
        Objects.requireNonNull(verifier, "verifier must not be null");
        return new GatehouseJwtDecoder(() -> verifier);
    }

    /**
     * Verifies {@code token} and adapts it to Spring Security: headers {@code alg}, {@code kid}, {@code typ}; every
     * claim, with the NumericDate claims {@code exp}, {@code iat}, {@code nbf} and {@code auth_time} as {@link
     * Instant}s (as Spring's own decoders give them).
     *
     * @param token the compact JWS
     * @return the verified token
     * @throws BadJwtException if it is refused, with the Gatehouse code (never the token) in the message
     * @throws JwtException if the keys are unavailable
     */
    @Override
    public Jwt decode(String token) throws JwtException {
        TokenVerifier v;
        try {
            v = verifier.get();
        } catch (RuntimeException e) {
            throw new JwtException("token keys are unavailable: the issuer's metadata could not be read");
        }
        VerifiedToken verified;
        try {
            verified = v.verify(token);
        } catch (TokenException e) {
            if (e.reason() == TokenException.Reason.JWKS_UNAVAILABLE) {
                throw new JwtException("token keys are unavailable (" + e.code() + ")");
            }
            throw new BadJwtException("invalid token (" + e.code() + ")");
        }
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("alg", verified.algorithm().joseName());
        verified.kid().ifPresent(kid -> headers.put("kid", kid));
        verified.type().ifPresent(typ -> headers.put("typ", typ));
        Map<String, Object> claims = new LinkedHashMap<>(verified.claims());
        for (String time : new String[] {"exp", "iat", "nbf", "auth_time"}) {
            if (claims.get(time) instanceof Number n) {
                claims.put(time, Instant.ofEpochSecond(n.longValue()));
            }
        }
        return new Jwt(
                token, verified.issuedAt().orElse(null), verified.expiresAt().orElse(null), headers, claims);
    }
}
