package dev.gatehouse.server.signin;

import dev.gatehouse.server.users.SignInSessions;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Drops a browser sign-in that has been ended elsewhere: the user was disabled or deleted, or an operator reset
 * the password or MFA or revoked the user's sessions ({@link SignInSessions#endAll}) after this session signed in.
 * The check runs on every request of a signed-in session (one indexed query), on any node, so a session cookie held
 * by whoever knew the old password stops working at once rather than when the session times out. The request goes
 * on as anonymous: the page asks for a sign-in, and the authorization endpoint issues nothing.
 *
 * <p>Only user sign-ins (those carrying Spring Security's password or passkey factor) are checked; client
 * authentication at the token endpoint and bearer tokens are not sessions and are checked elsewhere. A sign-in's time
 * is its first factor's (the password, or the passkey of a passwordless sign-in).
 */
public final class SessionValidityFilter extends OncePerRequestFilter {

    private final SignInSessions sessions;

    /**
     * Creates the filter.
     *
     * @param sessions where ended sign-ins are recorded
     */
    public SessionValidityFilter(SignInSessions sessions) {
        this.sessions = Objects.requireNonNull(sessions, "sessions must not be null");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication user = SecurityContextHolder.getContext().getAuthentication();
        @Nullable HttpSession session = request.getSession(false);
        if (session != null && user != null && user.isAuthenticated()) {
            @Nullable Instant signedInAt = signInTime(user);
            if (signedInAt != null && !sessions.stillValid(user.getName(), signedInAt)) {
                SecurityContextHolder.clearContext();
                session.invalidate();
            }
        }
        chain.doFilter(request, response);
    }

    /** The oldest of the sign-in factors' times (password, passkey); {@code null} when there is neither. */
    private static @Nullable Instant signInTime(Authentication user) {
        @Nullable Instant oldest = null;
        for (GrantedAuthority authority : user.getAuthorities()) {
            String name = authority.getAuthority();
            if (FactorGrantedAuthority.PASSWORD_AUTHORITY.equals(name)
                    || FactorGrantedAuthority.WEBAUTHN_AUTHORITY.equals(name)) {
                // A factor without a time cannot be compared: treat it as signed in at the epoch (ended).
                Instant at = authority instanceof FactorGrantedAuthority factor && factor.getIssuedAt() != null
                        ? factor.getIssuedAt()
                        : Instant.EPOCH;
                if (oldest == null || at.isBefore(oldest)) {
                    oldest = at;
                }
            }
        }
        return oldest;
    }
}
