package dev.gatehouse.server.logout;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.oidc.authentication.OidcLogoutAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.oidc.web.authentication.OidcLogoutAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.logout.LogoutHandler;
import org.springframework.security.web.authentication.logout.LogoutSuccessHandler;
import org.springframework.security.web.authentication.logout.SecurityContextLogoutHandler;
import org.springframework.security.web.authentication.logout.SimpleUrlLogoutSuccessHandler;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/**
 * RP-initiated logout ({@code /connect/logout}) with Gatehouse's {@link SessionIds sid}: Spring Authorization Server
 * compares the {@code id_token_hint}'s {@code sid} with its own session tracking, which Gatehouse switches off, so
 * this provider wraps its own. When a valid hint (signed here, for the signed-in user, its {@code
 * post_logout_redirect_uri} registered: Spring's checks passed) names a session other than this one, the user is
 * asked (OIDC RP-Initiated Logout 1.0 §2: "the OP MUST ask the End-User whether to log out" when the hint does not
 * match, and must not log the session out silently): {@link #errorHandler} sends the browser to the sign-out
 * confirmation page ({@code GET /logout}); confirmed ({@code POST /logout}), this session ends and the browser goes on
 * to the relying party's {@code post_logout_redirect_uri} with its {@code state} (§3), as if the hint had matched.
 * An invalid hint is still refused ({@code 400}, {@code LogoutErrorResponseHandler}). A hint without {@code sid}
 * (issued before sids) is accepted on the subject check alone, as before.
 */
public final class RpLogoutSessionCheck implements AuthenticationProvider {

    /**
     * Session attribute: where the browser goes after a sign-out it confirmed for a relying party whose hint named
     * another session (a {@code post_logout_redirect_uri} Spring Authorization Server checked, with {@code state}).
     */
    static final String PENDING_REDIRECT = RpLogoutSessionCheck.class.getName() + ".pendingRedirect";

    /** A valid hint for another session of the signed-in user: asked, not refused (§2). */
    static final class OtherSession extends OAuth2AuthenticationException {

        private static final long serialVersionUID = 1L;

        private final @Nullable String redirect;

        OtherSession(@Nullable String redirect) {
            super(new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, "id_token_hint names another session", null));
            this.redirect = redirect;
        }

        @Nullable
        String redirect() {
            return redirect;
        }
    }

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
                throw new OtherSession(postLogoutRedirect(logout));
            }
        }
        return result;
    }

    /** §3: the checked {@code post_logout_redirect_uri} with {@code state}, as Spring's success handler builds it. */
    private static @Nullable String postLogoutRedirect(OidcLogoutAuthenticationToken logout) {
        String uri = logout.getPostLogoutRedirectUri();
        if (uri == null || uri.isEmpty()) {
            return null;
        }
        UriComponentsBuilder b = UriComponentsBuilder.fromUriString(uri);
        if (logout.getState() != null && !logout.getState().isEmpty()) {
            b.queryParam(OAuth2ParameterNames.STATE, UriUtils.encode(logout.getState(), StandardCharsets.UTF_8));
        }
        return b.build(true).toUriString();
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return delegate.supports(authentication);
    }

    /**
     * The logout endpoint's error handler: a valid hint for another session ({@link OtherSession}) sends the browser
     * to the sign-out confirmation page and remembers, in the session, where to go once confirmed; everything else is
     * refused by {@code refused}.
     *
     * @param refused the handler of invalid requests and hints
     * @param confirmationPage the sign-out confirmation page ({@code /logout}, on the configured issuer)
     * @return the handler
     */
    public static AuthenticationFailureHandler errorHandler(
            AuthenticationFailureHandler refused, String confirmationPage) {
        Objects.requireNonNull(refused, "refused must not be null");
        Objects.requireNonNull(confirmationPage, "confirmationPage must not be null");
        return (request, response, exception) -> {
            HttpSession session = request.getSession(false);
            if (exception instanceof OtherSession other && session != null) {
                if (other.redirect() != null) {
                    session.setAttribute(PENDING_REDIRECT, other.redirect());
                } else {
                    session.removeAttribute(PENDING_REDIRECT);
                }
                response.setHeader("Cache-Control", "no-store");
                response.sendRedirect(confirmationPage);
                return;
            }
            refused.onAuthenticationFailure(request, response, exception);
        };
    }

    /**
     * Where {@code POST /logout} sends the browser: on to the relying party that asked for the sign-out ({@link
     * #errorHandler}), when this session holds such a request, else {@code defaultTarget}.
     *
     * @param defaultTarget the landing page after a sign-out ({@code /login?logout})
     * @return the handler
     */
    public static LogoutSuccessHandler afterConfirmation(String defaultTarget) {
        SimpleUrlLogoutSuccessHandler fallback = new SimpleUrlLogoutSuccessHandler();
        fallback.setDefaultTargetUrl(defaultTarget);
        return (request, response, authentication) -> {
            if (request.getAttribute(PENDING_REDIRECT) instanceof String target) {
                response.sendRedirect(target);
                return;
            }
            fallback.onLogoutSuccess(request, response, authentication);
        };
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
            HttpSession session = request.getSession(false);
            if (session != null && session.getAttribute(PENDING_REDIRECT) instanceof String target) {
                // Read before the session is invalidated, for afterConfirmation.
                request.setAttribute(PENDING_REDIRECT, target);
            }
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
