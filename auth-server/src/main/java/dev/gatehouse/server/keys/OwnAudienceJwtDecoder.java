package dev.gatehouse.server.keys;

import java.util.List;
import java.util.Objects;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * The audience rule of the server's own protected resources (UserInfo, the admin API, the actuator): a resource server
 * accepts only access tokens meant for it (RFC 8707 §2, RFC 9068 §4). Since tokens may be audience-restricted to other
 * resource servers, a token of this issuer is accepted here only when
 *
 * <ul>
 *   <li>it was issued without resource indicators: its {@code aud} is its own {@code client_id} and nothing else (the
 *       default audience, RFC 8707 §2 leaves it to the authorization server), or
 *   <li>its {@code aud} names the authorization server itself, its {@code iss} (already checked against the configured
 *       issuer by the delegate).
 * </ul>
 *
 * A token whose {@code aud} names only other resources (for example {@code http://localhost:8082}) is refused as
 * {@link BadJwtException}, which Spring Security answers {@code 401} with {@code error="invalid_token"} (RFC 6750
 * §3.1): otherwise a resource server, or whoever reads its logs, could replay a token it received at this server's
 * endpoints (the confused-deputy replay RFC 8707 exists to stop).
 */
final class OwnAudienceJwtDecoder implements JwtDecoder {

    private final JwtDecoder delegate;

    OwnAudienceJwtDecoder(JwtDecoder delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
    }

    @Override
    public Jwt decode(String token) throws JwtException {
        Jwt jwt = delegate.decode(token);
        if (!meantForThisServer(jwt)) {
            // Names no value from the token (RFC 6750 §3: the description is for the developer, not an echo).
            throw new BadJwtException("invalid token (token.wrong_audience): the access token was issued for another"
                    + " resource (RFC 8707); request one without resource, or for this server's issuer");
        }
        return jwt;
    }

    static boolean meantForThisServer(Jwt jwt) {
        List<String> audience = jwt.getAudience();
        if (audience == null || audience.isEmpty()) {
            return false; // RFC 9068 §2.2: aud is required; fail closed.
        }
        String issuer = jwt.getClaimAsString("iss");
        if (issuer != null && !issuer.isEmpty() && audience.contains(issuer)) {
            return true;
        }
        String clientId = jwt.getClaimAsString("client_id");
        return clientId != null && !clientId.isEmpty() && audience.stream().allMatch(clientId::equals);
    }
}
