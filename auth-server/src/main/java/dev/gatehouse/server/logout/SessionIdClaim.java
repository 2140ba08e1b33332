package dev.gatehouse.server.logout;

import java.util.Objects;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;

/**
 * Puts the browser session's {@link SessionIds sid} (noted on the authorization by {@link SessionIdAuthorizations})
 * in ID tokens (OIDC Back-Channel Logout 1.0 §2.1 and Front-Channel Logout 1.0 §3), for the code grant and the
 * refresh grant alike, and records the relying party's session for back-channel logout.
 */
public final class SessionIdClaim {

    private final BackchannelLogout logout;

    /**
     * Creates the customizer part.
     *
     * @param logout where relying-party sessions are recorded
     */
    public SessionIdClaim(BackchannelLogout logout) {
        this.logout = Objects.requireNonNull(logout, "logout must not be null");
    }

    /**
     * Adds {@code sid} to an ID token whose authorization has one.
     *
     * @param context the token being built
     */
    public void customize(JwtEncodingContext context) {
        if (!OidcParameterNames.ID_TOKEN.equals(context.getTokenType().getValue())) {
            return;
        }
        OAuth2Authorization authorization = context.getAuthorization();
        if (authorization == null
                || !(authorization.getAttribute(SessionIdAuthorizations.SID_ATTRIBUTE) instanceof String sid)) {
            return;
        }
        if (AuthorizationGrantType.REFRESH_TOKEN.equals(context.getAuthorizationGrantType())
                && logout.ended(sid, context.getRegisteredClient().getId())) {
            // OIDC Back-Channel Logout 1.0 §2.7: refresh tokens issued without offline_access SHOULD be revoked when
            // the session ends; refusing the grant (OIDC Core §12.2, RFC 6749 §5.2 invalid_grant) revokes them in
            // effect, on every node, without a search through the authorizations. With offline_access the refresh
            // token outlives the session (OIDC Core §11): its ID tokens then name no session.
            if (authorization.getAuthorizedScopes().contains("offline_access")) {
                return;
            }
            throw new OAuth2AuthenticationException(
                    new OAuth2Error(OAuth2ErrorCodes.INVALID_GRANT, "the session of this grant has ended", null));
        }
        context.getClaims().claim("sid", sid);
        String issuer = context.getAuthorizationServerContext().getIssuer();
        logout.idTokenIssued(sid, context.getRegisteredClient().getId(), authorization.getPrincipalName(), issuer);
    }
}
