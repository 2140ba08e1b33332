package dev.gatehouse.server.logout;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;

/**
 * Logout tokens (OIDC Back-Channel Logout 1.0 §2.4): a JWT with header {@code typ: logout+jwt} (§2.4, "explicit
 * typing", RFC 8725 §3.11), claims {@code iss}, {@code aud} (the client id), {@code sub}, {@code sid}, {@code iat},
 * {@code exp} (two minutes), a fresh {@code jti}, and {@code events} holding {@value #EVENT} with an empty object;
 * never a {@code nonce} (§2.4: prohibited). Signed by the server's {@link JwtEncoder} (the key ring), so relying
 * parties verify it with the JWK Set they verify ID tokens with.
 */
final class LogoutTokens {

    /** §2.4: the member of {@code events} that makes the JWT a logout token. */
    static final String EVENT = "http://schemas.openid.net/event/backchannel-logout";

    /** §2.4 and §2.6's "explicit typing": the {@code typ} header. */
    static final String TYPE = "logout+jwt";

    static final Duration LIFETIME = Duration.ofMinutes(2);

    private final JwtEncoder encoder;
    private final Clock clock;

    LogoutTokens(JwtEncoder encoder, Clock clock) {
        this.encoder = Objects.requireNonNull(encoder, "encoder must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /**
     * A signed logout token.
     *
     * @param issuer the issuer of the ID tokens the client was given
     * @param clientId the client's {@code client_id}, the audience
     * @param subject the user, as {@code sub} in ID tokens
     * @param sid the session, or {@code null} to name the user's every session
     * @return the compact JWS
     */
    String encode(String issuer, String clientId, String subject, @Nullable String sid) {
        Instant now = clock.instant();
        JwtClaimsSet.Builder claims = JwtClaimsSet.builder()
                .issuer(issuer)
                .audience(java.util.List.of(clientId))
                .subject(subject)
                .issuedAt(now)
                .expiresAt(now.plus(LIFETIME))
                .id(UUID.randomUUID().toString())
                .claim("events", Map.of(EVENT, Map.of()));
        if (sid != null) {
            claims.claim("sid", sid);
        }
        // The key ring signs with its active key's algorithm whatever the header names (KeyRingJwtEncoder).
        return encoder.encode(JwtEncoderParameters.from(
                        JwsHeader.with(SignatureAlgorithm.RS256).type(TYPE).build(), claims.build()))
                .getTokenValue();
    }
}
