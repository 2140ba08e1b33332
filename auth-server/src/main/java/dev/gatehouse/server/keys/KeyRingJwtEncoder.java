package dev.gatehouse.server.keys;

import dev.gatehouse.core.jwt.IssuedToken;
import dev.gatehouse.core.jwt.KeyRing;
import dev.gatehouse.core.jwt.TokenException;
import dev.gatehouse.core.jwt.TokenIssuer;
import java.net.URL;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.JwtEncodingException;

/**
 * A Spring Security {@link JwtEncoder} that signs with auth-core's {@link KeyRing} through {@link
 * TokenIssuer#signClaims}, so Spring Authorization Server's {@code JwtGenerator} (access and ID tokens) uses our
 * rotating keys. The {@code typ} header comes from the JWS header the token customizer set ({@code at+jwt} for
 * access tokens, RFC 9068 §2.1), else {@code JWT}. The algorithm is the active key's, whatever the header asked
 * for: the ring, not the caller, decides how tokens are signed.
 */
final class KeyRingJwtEncoder implements JwtEncoder {

    private static final int MAX_ISSUERS = 16;

    private final KeyRing ring;
    private final @Nullable String fixedIssuer;
    private final ConcurrentMap<String, TokenIssuer> issuers = new ConcurrentHashMap<>();

    /**
     * Creates the encoder.
     *
     * @param ring the key ring
     * @param fixedIssuer the only issuer accepted, or {@code null} to accept the issuer Spring Authorization Server
     *     resolved for the request (development only)
     */
    KeyRingJwtEncoder(KeyRing ring, @Nullable String fixedIssuer) {
        this.ring = Objects.requireNonNull(ring, "ring must not be null");
        this.fixedIssuer = fixedIssuer;
    }

    @Override
    public Jwt encode(JwtEncoderParameters parameters) {
        JwtClaimsSet claimsSet = parameters.getClaims();
        Map<String, Object> claims = new LinkedHashMap<>();
        claimsSet.getClaims().forEach((name, value) -> claims.put(name, jsonValue(value)));
        Object iss = claims.get("iss");
        if (!(iss instanceof String issuer)) {
            throw new JwtEncodingException("claims have no issuer");
        }
        if (fixedIssuer != null && !fixedIssuer.equals(issuer)) {
            throw new JwtEncodingException("claims name an issuer other than the configured one");
        }
        claims.putIfAbsent("jti", UUID.randomUUID().toString());
        JwsHeader header = parameters.getJwsHeader();
        String type = header != null && header.getType() != null ? header.getType() : "JWT";
        IssuedToken token;
        try {
            token = issuerFor(issuer).signClaims(claims, type);
        } catch (TokenException e) {
            throw new JwtEncodingException("cannot sign token: " + e.getMessage(), e);
        }
        String alg = ring.find(token.kid())
                .map(k -> k.algorithm().joseName())
                .orElse(ring.algorithm().joseName());
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("alg", alg);
        headers.put("kid", token.kid());
        headers.put("typ", type);
        Map<String, Object> outClaims = new LinkedHashMap<>(claimsSet.getClaims());
        outClaims.putIfAbsent("jti", claims.get("jti"));
        return new Jwt(token.value(), token.issuedAt(), token.expiresAt(), headers, outClaims);
    }

    private TokenIssuer issuerFor(String issuer) {
        TokenIssuer existing = issuers.get(issuer);
        if (existing != null) {
            return existing;
        }
        if (issuers.size() >= MAX_ISSUERS) {
            // Request-derived issuers are a development convenience; do not let Host headers grow this map.
            throw new JwtEncodingException("too many distinct issuers; configure gatehouse.token.issuer");
        }
        return issuers.computeIfAbsent(issuer, i -> TokenIssuer.builder(ring, i).build());
    }

    private static Object jsonValue(Object value) {
        if (value instanceof Instant i) {
            return i.getEpochSecond();
        }
        if (value instanceof Date d) {
            return d.toInstant().getEpochSecond();
        }
        if (value instanceof URL u) {
            return u.toExternalForm();
        }
        if (value instanceof Collection<?> c) {
            return List.copyOf(c.stream().map(KeyRingJwtEncoder::jsonValue).toList());
        }
        return value;
    }
}
