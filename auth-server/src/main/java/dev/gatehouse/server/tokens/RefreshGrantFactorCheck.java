package dev.gatehouse.server.tokens;

import dev.gatehouse.server.mfa.MfaPolicy;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2RefreshTokenAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * The refresh grant (RFC 6749 §6) in front of Spring Authorization Server's own provider: no new tokens from a
 * refresh token whose authorization's sign-in lacks a factor the client or the user requires now ({@link
 * MfaPolicy#missingFactor}), e.g. when an operator switched on a client's MFA or phishing-resistant requirement, or a
 * user's, after the refresh token was issued. Refused with {@code invalid_grant} (RFC 6749 §5.2: the refresh token is
 * no longer valid for this client) before anything is generated or stored; the client signs the user in again.
 *
 * <p>An unknown refresh token is answered {@code invalid_grant} here, as the wrapped provider would (looking it up
 * twice would repeat the reuse detection's revocation); everything else (client authentication, another client's
 * token, an inactive token, scopes, DPoP) stays with the wrapped provider.
 */
public final class RefreshGrantFactorCheck implements AuthenticationProvider {

    private static final String RFC6749 = "https://datatracker.ietf.org/doc/html/rfc6749#section-5.2";

    private final OAuth2AuthorizationService authorizations;
    private final AuthenticationProvider delegate;
    private final MfaPolicy policy;

    /**
     * The check in front of Spring Authorization Server's refresh token provider.
     *
     * @param authorizations where issued tokens are stored
     * @param delegate Spring Authorization Server's {@code OAuth2RefreshTokenAuthenticationProvider}
     * @param policy the factor policy
     */
    public RefreshGrantFactorCheck(
            OAuth2AuthorizationService authorizations, AuthenticationProvider delegate, MfaPolicy policy) {
        this.authorizations = Objects.requireNonNull(authorizations, "authorizations must not be null");
        this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
    }

    @Override
    public @Nullable Authentication authenticate(Authentication authentication) {
        OAuth2RefreshTokenAuthenticationToken refresh = (OAuth2RefreshTokenAuthenticationToken) authentication;
        if (!(refresh.getPrincipal() instanceof OAuth2ClientAuthenticationToken client)
                || !client.isAuthenticated()
                || client.getRegisteredClient() == null) {
            return delegate.authenticate(authentication); // it answers invalid_client
        }
        RegisteredClient registered = client.getRegisteredClient();
        OAuth2Authorization authorization =
                authorizations.findByToken(refresh.getRefreshToken(), OAuth2TokenType.REFRESH_TOKEN);
        if (authorization == null) {
            throw new OAuth2AuthenticationException(
                    new OAuth2Error(OAuth2ErrorCodes.INVALID_GRANT, "The refresh token is invalid.", RFC6749));
        }
        if (registered.getId().equals(authorization.getRegisteredClientId())
                && FactorRequirement.missing(policy, authorization, registered.getClientId())) {
            throw new OAuth2AuthenticationException(new OAuth2Error(
                    OAuth2ErrorCodes.INVALID_GRANT,
                    "The sign-in behind this refresh token lacks a factor now required; sign in again.",
                    RFC6749));
        }
        return delegate.authenticate(authentication);
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return OAuth2RefreshTokenAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
