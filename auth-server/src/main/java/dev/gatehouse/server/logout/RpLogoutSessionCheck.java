package dev.gatehouse.server.logout;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.oidc.authentication.OidcLogoutAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.oidc.web.authentication.OidcLogoutAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.logout.LogoutHandler;
import org.springframework.security.web.authentication.logout.SecurityContextLogoutHandler;

/**
 * RP-initiated logout ({@code /connect/logout}) with Gatehouse's {@link SessionIds sid}: Spring Authorization Server
 * compares the {@code id_token_hint}'s {@code sid} with its own session tracking, which Gatehouse switches off, so
 * this provider wraps its own and answers {@code invalid_token} when the hint names a session of the signed-in user
 * other than this one (OIDC RP-Initiated Logout 1.0 §2: the OP must not log out another session on a stale hint).
 * A hint without {@code sid} (issued before sids) is accepted on the subject check alone, as before.
 */
public final class RpLogoutSessionCheck implements AuthenticationProvider {

    private final AuthenticationProvider delegate;

    /**
     * Wraps Spring Authorization Server's logout provider (any other provider is passed through unchanged).
     *
     * @param delegate the provider
     */
    public RpLogoutSessionCheck(AuthenticationProvider delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
    }

    @Override
    public @Nullable Authentication authenticate(Authentication authentication) throws AuthenticationException {
        Authentication result = delegate.authenticate(authentication);
        if (result instanceof OidcLogoutAuthenticationToken logout
                && logout.isPrincipalAuthenticated()
                && logout.getIdToken().getClaims().get("sid") instanceof String hinted) {
            String name = ((Authentication) logout.getPrincipal()).getName();
            String current = SessionIds.of(SessionIds.currentSession(), name);
            if (!hinted.equals(current)) {
                throw new OAuth2AuthenticationException(
                        new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, "id_token_hint names another session", null));
            }
        }
        return result;
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return delegate.supports(authentication);
    }

    /**
     * The logout response handler: queues the session's logout tokens, then signs out as Spring's handler does.
     *
     * @param logout the back-channel logout service
     * @return the handler
     */
    public static OidcLogoutAuthenticationSuccessHandler successHandler(BackchannelLogout logout) {
        OidcLogoutAuthenticationSuccessHandler handler = new OidcLogoutAuthenticationSuccessHandler();
        SecurityContextLogoutHandler signOut = new SecurityContextLogoutHandler();
        handler.setLogoutHandler((request, response, authentication) -> {
            if (authentication instanceof OidcLogoutAuthenticationToken token && token.isPrincipalAuthenticated()) {
                Authentication user = (Authentication) token.getPrincipal();
                queue(logout, request, user, BackchannelLogout.RP_LOGOUT);
                signOut.logout(request, response, user);
            }
        });
        return handler;
    }

    /**
     * A logout handler for {@code POST /logout} that queues the session's logout tokens; it runs before the session
     * is invalidated.
     *
     * @param logout the back-channel logout service
     * @return the handler
     */
    public static LogoutHandler backchannel(BackchannelLogout logout) {
        return (HttpServletRequest request, HttpServletResponse response, @Nullable Authentication user) -> {
            if (user != null) {
                queue(logout, request, user, BackchannelLogout.LOGOUT);
            }
        };
    }

    private static void queue(
            BackchannelLogout logout, HttpServletRequest request, Authentication user, String reason) {
        logout.sessionEnded(SessionIds.of(request.getSession(false), user.getName()), user.getName(), reason);
    }
}
