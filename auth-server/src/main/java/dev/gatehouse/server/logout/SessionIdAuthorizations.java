package dev.gatehouse.server.logout;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationCode;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;

/**
 * Notes the browser session's {@link SessionIds sid} on an authorization-code authorization for {@code openid} when
 * it is saved in the browser's request (the authorization endpoint), so the ID token issued for the code on any node
 * carries it, and the refresh grant's ID tokens after it ({@link #SID_ATTRIBUTE}).
 */
public final class SessionIdAuthorizations implements OAuth2AuthorizationService {

    /** Authorization attribute: the sid of the browser session that approved it. */
    public static final String SID_ATTRIBUTE = "dev.gatehouse.sid";

    private final OAuth2AuthorizationService delegate;

    /**
     * Wraps an authorization service.
     *
     * @param delegate the service that stores
     */
    public SessionIdAuthorizations(OAuth2AuthorizationService delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
    }

    @Override
    public void save(OAuth2Authorization authorization) {
        delegate.save(withSessionId(authorization));
    }

    private static OAuth2Authorization withSessionId(OAuth2Authorization authorization) {
        if (authorization.getAttribute(SID_ATTRIBUTE) != null
                || authorization.getToken(OAuth2AuthorizationCode.class) == null
                || authorization.getAccessToken() != null
                || !authorization.getAuthorizedScopes().contains(OidcScopes.OPENID)) {
            return authorization;
        }
        String sid = SessionIds.obtainInCurrentRequest(authorization.getPrincipalName());
        if (sid == null) {
            return authorization;
        }
        return OAuth2Authorization.from(authorization)
                .attribute(SID_ATTRIBUTE, sid)
                .build();
    }

    @Override
    public void remove(OAuth2Authorization authorization) {
        delegate.remove(authorization);
    }

    @Override
    public @Nullable OAuth2Authorization findById(String id) {
        return delegate.findById(id);
    }

    @Override
    public @Nullable OAuth2Authorization findByToken(String token, @Nullable OAuth2TokenType tokenType) {
        return delegate.findByToken(token, tokenType);
    }
}
