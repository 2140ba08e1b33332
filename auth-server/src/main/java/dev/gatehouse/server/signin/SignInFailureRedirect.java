package dev.gatehouse.server.signin;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.WebAttributes;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;

/**
 * The sign-in form's failure handler: back to {@code /login?error} (a relative redirect, RFC 9110 §10.2.2), keeping
 * nothing of the failure. Spring Security's default handler stores the {@link AuthenticationException} in the
 * session, and since Spring Security 6.5 that exception carries the authentication request, whose credentials are
 * the password as typed; it would sit in the session until the session ends, and in the database once sessions are
 * shared between nodes. The page says only that sign-in failed (never why: OWASP ASVS 2.2), so nothing is lost.
 */
public final class SignInFailureRedirect implements AuthenticationFailureHandler {

    /** Where a failed sign-in goes. */
    static final String FAILURE_URL = "/login?error";

    @Override
    public void onAuthenticationFailure(
            HttpServletRequest request, HttpServletResponse response, AuthenticationException exception)
            throws IOException {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.removeAttribute(WebAttributes.AUTHENTICATION_EXCEPTION);
        }
        response.sendRedirect(request.getContextPath() + FAILURE_URL);
    }
}
