package dev.gatehouse.server.transport;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import java.time.Duration;
import java.util.Objects;
import org.springframework.http.HttpMethod;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.session.SessionAuthenticationStrategy;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;

/**
 * What an anonymous visitor may cost the server in sessions. Spring Security saved every unauthenticated
 * {@code text/html} request, whatever its path, in a new session (about 18 KB with its headers) for 30 minutes: any
 * crawler or attacker grew memory without bound. Now:
 *
 * <ul>
 *   <li>only authorization requests (RFC 6749 §4.1.1) and device verification (RFC 8628 §3.3) are saved, the only
 *       requests a sign-in returns to ({@link #requestCache()});
 *   <li>a session lives {@code gatehouse.transport.anonymous-session-timeout} until someone signs in with it, then
 *       {@code server.servlet.session.timeout} ({@link #sessionListener()}, {@link #signedInTimeout()});
 *   <li>the node keeps at most {@code gatehouse.transport.max-sessions} sessions (Tomcat's
 *       {@code maxActiveSessions}; see {@link TransportConfiguration}).
 * </ul>
 */
public final class SessionLimits {

    private final int anonymousTimeoutSeconds;

    SessionLimits(Duration anonymousTimeout) {
        this.anonymousTimeoutSeconds = Math.toIntExact(anonymousTimeout.toSeconds());
    }

    /**
     * The request cache for both security filter chains: only the authorization and device verification endpoints
     * are saved for after the sign-in.
     *
     * @return a session request cache limited to those endpoints
     */
    public RequestCache requestCache() {
        HttpSessionRequestCache cache = new HttpSessionRequestCache();
        // GET only, as Spring Security's default: a saved POST would come back as a GET without its body.
        cache.setRequestMatcher(new OrRequestMatcher(
                PathPatternRequestMatcher.pathPattern(HttpMethod.GET, "/oauth2/authorize"),
                PathPatternRequestMatcher.pathPattern(HttpMethod.GET, "/oauth2/device_verification")));
        return cache;
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

    /** Every new session starts with the short anonymous lifetime. */
    HttpSessionListener sessionListener() {
        int seconds = anonymousTimeoutSeconds;
        return new HttpSessionListener() {
            @Override
            public void sessionCreated(HttpSessionEvent event) {
                Objects.requireNonNull(event.getSession(), "session").setMaxInactiveInterval(seconds);
            }
        };
    }
}
