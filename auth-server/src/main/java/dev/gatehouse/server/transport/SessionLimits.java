package dev.gatehouse.server.transport;

import dev.gatehouse.server.signin.PathOnlyRequestCache;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.springframework.http.HttpMethod;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.session.SessionAuthenticationStrategy;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;

/**
 * What an anonymous visitor may cost the server in sessions. Spring Security saved every unauthenticated
 * {@code text/html} request, whatever its path, in a new session (about 18 KB with its headers) for 30 minutes: any
 * crawler or attacker grew memory without bound. Sessions are rows in the database every node shares (Spring Session
 * JDBC, issue #14); now:
 *
 * <ul>
 *   <li>only authorization requests (RFC 6749 §4.1.1) and device verification (RFC 8628 §3.3) are saved, the only
 *       requests a sign-in returns to, and only as their method, path and query ({@link #requestCache()});
 *   <li>a session lives {@code gatehouse.server.transport.anonymous-session-timeout} until someone signs in with it, then
 *       {@code server.servlet.session.timeout} (the session store's default lifetime, set by
 *       {@link TransportConfiguration}, and {@link #signedInTimeout()});
 *   <li>the cluster keeps at most {@code gatehouse.server.transport.max-anonymous-sessions} sessions nobody has signed
 *       in with: {@link AnonymousSessionCap} deletes the oldest beyond it every few seconds (never a signed-in
 *       session), so a stream of anonymous requests (each {@code GET /login} holds a CSRF token) cannot grow the
 *       table without bound.
 * </ul>
 */
public final class SessionLimits {

    SessionLimits() {}

    /**
     * The request cache for both security filter chains: only the authorization and device verification endpoints
     * are saved for after the sign-in, as a path and query.
     *
     * @return a session request cache limited to those endpoints
     */
    public RequestCache requestCache() {
        // GET only, as Spring Security's default: a saved POST would come back as a GET without its body.
        return PathOnlyRequestCache.of(new OrRequestMatcher(
                PathPatternRequestMatcher.pathPattern(HttpMethod.GET, "/oauth2/authorize"),
                PathPatternRequestMatcher.pathPattern(HttpMethod.GET, "/oauth2/device_verification")));
    }

    /**
     * On a successful sign-in, gives the session the configured session timeout back (the servlet context's,
     * {@code server.servlet.session.timeout}, 30 minutes by default).
     *
     * @return a strategy to add to the chain's session management
     */
    public SessionAuthenticationStrategy signedInTimeout() {
        return SessionLimits::restoreTimeout;
    }

    private static void restoreTimeout(
            Authentication authentication, HttpServletRequest request, HttpServletResponse response) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.setMaxInactiveInterval(request.getServletContext().getSessionTimeout() * 60);
        }
    }
}
