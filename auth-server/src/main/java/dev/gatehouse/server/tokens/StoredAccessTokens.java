package dev.gatehouse.server.tokens;

import dev.gatehouse.server.users.JdbcUserStore;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.resource.BearerTokenErrors;

/**
 * The server's own check of a bearer access token it issued, beyond the signature: where this server is also the
 * resource (the admin API, the actuator), a revoked token must stop working at once, as introspection says it has,
 * not when it expires.
 *
 * <ul>
 *   <li>sender-constrained tokens ({@code cnf}, RFC 9449 DPoP) are refused: these endpoints take Bearer only, and a
 *       DPoP-bound token must not be usable as a bearer token (RFC 9449 §7.1);
 *   <li>the token must belong to a stored, active authorization with the same subject (not revoked, RFC 7009; not
 *       removed by refresh-token reuse detection or by an operator);
 *   <li>a user's token (any grant but client credentials) needs the user to exist and be enabled.
 * </ul>
 *
 * Every refusal is {@code invalid_token} (RFC 6750 §3.1) with a description that names no value from the token.
 */
public final class StoredAccessTokens {

    private final OAuth2AuthorizationService authorizations;
    private final JdbcUserStore users;

    /**
     * Creates the check.
     *
     * @param authorizations where issued tokens are recorded
     * @param users the user store
     */
    public StoredAccessTokens(OAuth2AuthorizationService authorizations, JdbcUserStore users) {
        this.authorizations = Objects.requireNonNull(authorizations, "authorizations must not be null");
        this.users = Objects.requireNonNull(users, "users must not be null");
    }

    /**
     * Checks the token against the server's records.
     *
     * @param jwt a token whose signature, type, issuer and times the server's decoder has verified
     * @return its active authorization
     * @throws OAuth2AuthenticationException {@code invalid_token} when it may not be used
     */
    public OAuth2Authorization requireActive(Jwt jwt) {
        if (jwt.hasClaim("cnf")) {
            throw invalid("Sender-constrained (DPoP) tokens are not accepted as Bearer tokens here.");
        }
        String subject = jwt.getSubject();
        String clientId = jwt.getClaimAsString("client_id");
        if (subject == null || subject.isBlank() || clientId == null || clientId.isBlank()) {
            throw invalid("The access token has no subject or client_id.");
        }
        @Nullable
        OAuth2Authorization authorization =
                authorizations.findByToken(jwt.getTokenValue(), OAuth2TokenType.ACCESS_TOKEN);
        OAuth2Authorization.@Nullable Token<OAuth2AccessToken> stored =
                authorization == null ? null : authorization.getAccessToken();
        if (authorization == null
                || stored == null
                || !stored.isActive()
                || !authorization.getPrincipalName().equals(subject)) {
            throw invalid("The access token is revoked or unknown to this server.");
        }
        if (!AuthorizationGrantType.CLIENT_CREDENTIALS.equals(authorization.getAuthorizationGrantType())
                && users.find(subject).filter(JdbcUserStore.StoredUser::enabled).isEmpty()) {
            throw invalid("The user of this token is no longer active.");
        }
        return authorization;
    }

    private static OAuth2AuthenticationException invalid(String description) {
        return new OAuth2AuthenticationException(BearerTokenErrors.invalidToken(description));
    }
}
