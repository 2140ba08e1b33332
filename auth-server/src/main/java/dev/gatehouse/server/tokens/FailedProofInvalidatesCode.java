package dev.gatehouse.server.tokens;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationCode;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;

/**
 * Wraps one of Spring Authorization Server's client authentication providers so that a failed PKCE proof burns the
 * authorization code it was presented with. Spring Authorization Server checks the {@code code_verifier} during
 * client authentication (RFC 7636 §4.6: {@code invalid_grant}) and left the code live, so whoever held a stolen code
 * could try verifier after verifier until it expired. Now the first failure invalidates it:
 *
 * <ul>
 *   <li>RFC 6749 §4.1.2: a code is single-use; a request that presents it without the proof is a use;
 *   <li>RFC 9700 §4.5 and §4.8: a wrong or missing verifier for a code issued with a challenge is what a stolen or
 *       injected code looks like; Spring Authorization Server already invalidates a code another client presents.
 * </ul>
 *
 * Only an {@code invalid_grant} from the wrapped provider burns: a confidential client's wrong secret
 * ({@code invalid_client}) is refused before its verifier is looked at, so an unauthenticated caller cannot burn its
 * codes. A malformed verifier never gets here ({@link CodeVerifierSyntax}). Nothing was issued from the code, so
 * there are no tokens to revoke; the legitimate client starts a new authorization.
 */
public final class FailedProofInvalidatesCode implements AuthenticationProvider {

    private static final Logger LOG = LoggerFactory.getLogger(FailedProofInvalidatesCode.class);
    private static final OAuth2TokenType CODE = new OAuth2TokenType(OAuth2ParameterNames.CODE);

    private final AuthenticationProvider delegate;
    private final OAuth2AuthorizationService authorizations;

    /**
     * Wraps a client authentication provider.
     *
     * @param delegate Spring Authorization Server's provider
     * @param authorizations where codes are stored
     */
    public FailedProofInvalidatesCode(AuthenticationProvider delegate, OAuth2AuthorizationService authorizations) {
        this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
        this.authorizations = Objects.requireNonNull(authorizations, "authorizations must not be null");
    }

    @Override
    public @Nullable Authentication authenticate(Authentication authentication) {
        try {
            return delegate.authenticate(authentication);
        } catch (OAuth2AuthenticationException e) {
            if (OAuth2ErrorCodes.INVALID_GRANT.equals(e.getError().getErrorCode())
                    && authentication instanceof OAuth2ClientAuthenticationToken client) {
                invalidateCode(client);
            }
            throw e;
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return delegate.supports(authentication);
    }

    private void invalidateCode(OAuth2ClientAuthenticationToken client) {
        Object grantType = client.getAdditionalParameters().get(OAuth2ParameterNames.GRANT_TYPE);
        Object code = client.getAdditionalParameters().get(OAuth2ParameterNames.CODE);
        if (!AuthorizationGrantType.AUTHORIZATION_CODE.getValue().equals(grantType)
                || !(code instanceof String value)
                || value.isEmpty()) {
            return;
        }
        OAuth2Authorization authorization = authorizations.findByToken(value, CODE);
        if (authorization == null) {
            return;
        }
        OAuth2Authorization.Token<OAuth2AuthorizationCode> stored =
                authorization.getToken(OAuth2AuthorizationCode.class);
        if (stored == null || stored.isInvalidated()) {
            return;
        }
        authorizations.save(OAuth2Authorization.from(authorization)
                .invalidate(stored.getToken())
                .build());
        // One line, no code value.
        LOG.warn(
                "Invalidated an authorization code of registered client '{}' after a failed PKCE proof",
                authorization.getRegisteredClientId());
    }
}
