package dev.gatehouse.server.logout;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The OP session id ({@code sid}, OIDC Back-Channel Logout 1.0 §2.1 and Front-Channel Logout §3) of a browser
 * session: 32 random bytes (base64url), kept as a session attribute with the username it belongs to. Spring Security
 * copies the attributes when a factor moves the sign-in to a new session (session fixation protection), so the sid
 * stays the same through password, second factor and re-authentication, on every node (the session rows are shared),
 * and ends with the session. Another user signing in in the same browser gets a new one. Unlike Spring Authorization
 * Server's sid (a hash of the servlet session id, which changes at each factor and is known only to the node that
 * saw it), it never names a session that no longer exists while the sign-in lives on.
 */
public final class SessionIds {

    /** Session attribute: the sid. */
    public static final String SID = SessionIds.class.getName() + ".sid";

    /** Session attribute: the username the sid belongs to. */
    public static final String SID_USER = SessionIds.class.getName() + ".user";

    private static final SecureRandom RANDOM = new SecureRandom();

    private SessionIds() {}

    /**
     * The sid of a session for a user, or {@code null} when it has none for that user.
     *
     * @param sid the session's {@link #SID} attribute
     * @param owner the session's {@link #SID_USER} attribute
     * @param username the user
     * @return the sid, or {@code null}
     */
    public static @Nullable String of(@Nullable Object sid, @Nullable Object owner, String username) {
        return sid instanceof String s && username.equals(owner) ? s : null;
    }

    /**
     * The sid of a session for a user, or {@code null} when it has none.
     *
     * @param session the session, may be {@code null}
     * @param username the user
     * @return the sid, or {@code null}
     */
    public static @Nullable String of(@Nullable HttpSession session, String username) {
        if (session == null) {
            return null;
        }
        try {
            return of(session.getAttribute(SID), session.getAttribute(SID_USER), username);
        } catch (IllegalStateException invalidated) {
            return null;
        }
    }

    /** The current request's session, or {@code null}. */
    static @Nullable HttpSession currentSession() {
        return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes
                ? attributes.getRequest().getSession(false)
                : null;
    }

    /** The sid of the current request's session for the user, minted when it has none; null without a session. */
    static @Nullable String obtainInCurrentRequest(String username) {
        if (!(RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes)) {
            return null;
        }
        HttpServletRequest request = attributes.getRequest();
        HttpSession session = request.getSession(false);
        if (session == null) {
            return null;
        }
        return obtain(session, username);
    }

    /** The session's sid for the user; a new one when it has none or one of another user. */
    static String obtain(HttpSession session, String username) {
        Objects.requireNonNull(username, "username must not be null");
        String existing = of(session, username);
        if (existing != null) {
            return existing;
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String sid = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        session.setAttribute(SID_USER, username);
        session.setAttribute(SID, sid);
        return sid;
    }
}
