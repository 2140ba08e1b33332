package dev.gatehouse.server.transport;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
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
 *   <li>a session lives {@code gatehouse.server.transport.anonymous-session-timeout} until someone signs in with it, then
 *       {@code server.servlet.session.timeout} ({@link #sessionListener()}, {@link #signedInTimeout()});
 *   <li>the node keeps at most {@code gatehouse.server.transport.max-anonymous-sessions} sessions nobody has signed in with:
 *       a new one drops the oldest of them (never a signed-in session), so a stream of anonymous requests (each
 *       {@code GET /login} holds a CSRF token) cannot fill the node's cap and lock new visitors out;
 *   <li>the node keeps at most {@code gatehouse.server.transport.max-sessions} sessions in all (Tomcat's
 *       {@code maxActiveSessions}; see {@link TransportConfiguration}), a ceiling only signed-in sessions can reach.
 * </ul>
 */
public final class SessionLimits {

    /** Session attribute set at sign-in: the session is no longer anonymous and is never dropped for a new one. */
    static final String SIGNED_IN = SessionLimits.class.getName() + ".signedIn";

    private final int anonymousTimeoutSeconds;
    private final int maxAnonymous;

    /** Anonymous sessions, oldest first (insertion order); signed-in ones leave it lazily. Guarded by itself. */
    private final LinkedHashMap<HttpSession, Boolean> anonymous = new LinkedHashMap<>();

    SessionLimits(Duration anonymousTimeout, int maxAnonymous) {
        this.anonymousTimeoutSeconds = Math.toIntExact(anonymousTimeout.toSeconds());
        if (maxAnonymous < 1) {
            throw new IllegalArgumentException("maxAnonymous must be at least 1");
        }
        this.maxAnonymous = maxAnonymous;
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
            session.setAttribute(SIGNED_IN, Boolean.TRUE);
            session.setMaxInactiveInterval(request.getServletContext().getSessionTimeout() * 60);
        }
    }

    /**
     * Every new session starts with the short anonymous lifetime and joins the anonymous sessions; past the cap the
     * oldest anonymous one is invalidated (its visitor reloads the sign-in form). Sessions signed in since are skipped
     * and forgotten.
     */
    HttpSessionListener sessionListener() {
        int seconds = anonymousTimeoutSeconds;
        return new HttpSessionListener() {
            @Override
            public void sessionCreated(HttpSessionEvent event) {
                HttpSession session = Objects.requireNonNull(event.getSession(), "session");
                session.setMaxInactiveInterval(seconds);
                List<HttpSession> dropped = admit(session);
                for (HttpSession old : dropped) {
                    try {
                        old.invalidate();
                    } catch (IllegalStateException alreadyInvalid) {
                        // Ended meanwhile: nothing to drop.
                    }
                }
            }

            @Override
            public void sessionDestroyed(HttpSessionEvent event) {
                synchronized (anonymous) {
                    anonymous.remove(event.getSession());
                }
            }
        };
    }

    /** Adds a new session; returns the anonymous sessions to invalidate (outside the lock) to stay within the cap. */
    private List<HttpSession> admit(HttpSession session) {
        List<HttpSession> dropped = new ArrayList<>();
        synchronized (anonymous) {
            anonymous.put(session, Boolean.TRUE);
            Iterator<HttpSession> oldest = anonymous.keySet().iterator();
            int count = anonymous.size();
            while (count > maxAnonymous && oldest.hasNext()) {
                HttpSession candidate = oldest.next();
                if (candidate == session) {
                    continue;
                }
                oldest.remove();
                count--;
                if (!signedIn(candidate)) {
                    dropped.add(candidate);
                }
            }
        }
        return dropped;
    }

    private static boolean signedIn(HttpSession session) {
        try {
            return session.getAttribute(SIGNED_IN) != null;
        } catch (IllegalStateException invalidated) {
            return true; // already gone: nothing to drop
        }
    }
}
