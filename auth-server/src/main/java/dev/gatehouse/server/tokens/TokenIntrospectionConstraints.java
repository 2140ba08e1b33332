package dev.gatehouse.server.tokens;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenIntrospection;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2TokenIntrospectionAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * Who may introspect which token (RFC 7662 §2.1: "the authorization server MUST also require the protected resource
 * to be authorized to call the introspection endpoint"; §4: otherwise any client could scan for valid tokens).
 * Spring Authorization Server answers any authenticated client about any token; here the claims of an active token
 * are given only to
 *
 * <ul>
 *   <li>the client the token was issued to ({@code client_id}),
 *   <li>a client named in the token's audience ({@code aud}), the resource server the token is meant for,
 *   <li>a client registered with the setting {@link #INTROSPECT_ANY_TOKEN_SETTING} ({@code true}): an operator's
 *       resource server that must check tokens issued to other clients.
 * </ul>
 *
 * Any other caller gets {@code {"active":false}}, exactly what an unknown token gets (RFC 7662 §2.2: no hint that
 * the token exists). Wraps Spring Authorization Server's own introspection provider, so it cannot be skipped by
 * provider ordering.
 */
public final class TokenIntrospectionConstraints implements AuthenticationProvider {

    /**
     * Client setting ({@code ClientSettings.setting}, a {@code Boolean}) that lets the client introspect tokens
     * issued to any client. Off unless set.
     */
    public static final String INTROSPECT_ANY_TOKEN_SETTING = "settings.client.gatehouse.introspect-any-token";

    private final AuthenticationProvider delegate;

    /**
     * Wraps Spring Authorization Server's introspection provider.
     *
     * @param delegate its {@code OAuth2TokenIntrospectionAuthenticationProvider}
     */
    public TokenIntrospectionConstraints(AuthenticationProvider delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
    }

    @Override
    public @Nullable Authentication authenticate(Authentication authentication) {
        Authentication result = delegate.authenticate(authentication);
        if (!(result instanceof OAuth2TokenIntrospectionAuthenticationToken introspection)
                || !introspection.getTokenClaims().isActive()) {
            return result;
        }
        RegisteredClient caller = introspection.getPrincipal() instanceof OAuth2ClientAuthenticationToken client
                ? client.getRegisteredClient()
                : null;
        if (caller != null && mayIntrospect(caller, introspection.getTokenClaims())) {
            return result;
        }
        return new OAuth2TokenIntrospectionAuthenticationToken(
                introspection.getToken(),
                (Authentication) introspection.getPrincipal(),
                OAuth2TokenIntrospection.builder().build());
    }

    private static boolean mayIntrospect(RegisteredClient caller, OAuth2TokenIntrospection claims) {
        String callerId = caller.getClientId();
        if (callerId.equals(claims.getClientId())) {
            return true;
        }
        List<String> audience = claims.getAudience();
        if (audience != null && audience.contains(callerId)) {
            return true;
        }
        return Boolean.TRUE.equals(caller.getClientSettings().getSetting(INTROSPECT_ANY_TOKEN_SETTING));
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return delegate.supports(authentication);
    }
}
