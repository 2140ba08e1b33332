package dev.gatehouse.server.signin;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2DeviceCode;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationException;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationConsentAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2DeviceAuthorizationConsentAuthenticationToken;

/**
 * In front of Spring Authorization Server's consent providers: the consent {@code state} must name a pending
 * authorization of the flow it is posted to. Spring Authorization Server 7.0.6 looks the state up without checking
 * the flow, so a device flow's consent state posted to {@code /oauth2/authorize}, or a code flow's posted to {@code
 * /oauth2/device_verification}, failed on a missing attribute with a server error. Such a post is now {@code
 * invalid_request} (RFC 6749 §4.1.2.1, answered without a redirect, as for an unknown state; RFC 8628 §3.3 for the
 * device page) and changes nothing. Every other check stays with the wrapped provider.
 */
public final class ConsentStateGuard implements AuthenticationProvider {

    private static final OAuth2TokenType STATE = new OAuth2TokenType(OAuth2ParameterNames.STATE);
    private static final String ERROR_URI = "https://datatracker.ietf.org/doc/html/rfc6749#section-4.1.2.1";

    private final OAuth2AuthorizationService authorizations;
    private final AuthenticationProvider delegate;

    /**
     * Guards a consent provider.
     *
     * @param authorizations where the pending authorizations are stored
     * @param delegate Spring Authorization Server's consent provider (code or device flow)
     */
    public ConsentStateGuard(OAuth2AuthorizationService authorizations, AuthenticationProvider delegate) {
        this.authorizations = Objects.requireNonNull(authorizations, "authorizations must not be null");
        this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
    }

    @Override
    public @Nullable Authentication authenticate(Authentication authentication) {
        if (!(authentication instanceof OAuth2AuthorizationConsentAuthenticationToken post)
                || !delegate.supports(authentication.getClass())) {
            return delegate.authenticate(authentication);
        }
        boolean device = post instanceof OAuth2DeviceAuthorizationConsentAuthenticationToken;
        @Nullable OAuth2Authorization pending = authorizations.findByToken(post.getState(), STATE);
        if (pending != null) {
            boolean ofThisFlow = device
                    ? pending.getToken(OAuth2DeviceCode.class) != null
                    : pending.getAttribute(OAuth2AuthorizationRequest.class.getName()) != null;
            if (!ofThisFlow) {
                OAuth2Error error = new OAuth2Error(
                        OAuth2ErrorCodes.INVALID_REQUEST,
                        "OAuth 2.0 Parameter: " + OAuth2ParameterNames.STATE,
                        ERROR_URI);
                throw device
                        ? new OAuth2AuthenticationException(error)
                        : new OAuth2AuthorizationCodeRequestAuthenticationException(error, null);
            }
        }
        return delegate.authenticate(authentication);
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return delegate.supports(authentication);
    }
}
