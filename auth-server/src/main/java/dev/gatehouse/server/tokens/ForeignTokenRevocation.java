package dev.gatehouse.server.tokens;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2TokenRevocationAuthenticationToken;

/**
 * A revocation request for a token issued to another client is answered as for an unknown token, and revokes
 * nothing. RFC 7009 §2.1: the authorization server "verifies whether the token was issued to the client making the
 * revocation request"; §2.2: "invalid tokens do not cause an error response" (200). Spring Authorization Server
 * refuses such a request with 400 {@code invalid_client}, while an unknown token gets 200: any client could tell
 * whether a string is another client's access token, refresh token or code (the token scanning of RFC 7662 §4).
 *
 * <p>Wraps Spring Authorization Server's {@code OAuth2TokenRevocationAuthenticationProvider} and catches only its
 * {@code invalid_client} refusal for an authenticated client, which is the "not this client's token" check (the
 * provider's other {@code invalid_client}, an unauthenticated client principal, passes through unchanged). A failed
 * client authentication is refused earlier, with 401, by the client authentication filter, and is not affected.
 */
public final class ForeignTokenRevocation implements AuthenticationProvider {

    private final AuthenticationProvider delegate;

    /**
     * Wraps Spring Authorization Server's revocation provider.
     *
     * @param delegate its {@code OAuth2TokenRevocationAuthenticationProvider}
     */
    public ForeignTokenRevocation(AuthenticationProvider delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
    }

    @Override
    public @Nullable Authentication authenticate(Authentication authentication) {
        try {
            return delegate.authenticate(authentication);
        } catch (OAuth2AuthenticationException e) {
            if (authentication instanceof OAuth2TokenRevocationAuthenticationToken revocation
                    && revocation.getPrincipal() instanceof OAuth2ClientAuthenticationToken client
                    && client.isAuthenticated()
                    && OAuth2ErrorCodes.INVALID_CLIENT.equals(e.getError().getErrorCode())) {
                // What Spring Authorization Server returns for an unknown token: the unauthenticated request, 200.
                return revocation;
            }
            throw e;
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return delegate.supports(authentication);
    }
}
