package dev.gatehouse.server.signin;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfTokenRequestHandler;
import org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository;
import org.springframework.security.web.csrf.XorCsrfTokenRequestAttributeHandler;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Makes every device approval a deliberate, CSRF-protected act of the user, in front of Spring Authorization
 * Server's device verification endpoint ({@code /oauth2/device_verification}), which exempts itself from CSRF
 * protection and approves a user code at once, without a page, when the user has consented to that client's scopes
 * before:
 *
 * <ul>
 *   <li>{@code POST} needs the session's CSRF token (the one the sign-in pages use, checked as Spring Security's
 *       {@code CsrfFilter} checks it); a missing or wrong one gets {@code 403}. Without it another site could make a
 *       signed-in user post the attacker's user code and bind the attacker's device to the user's account (RFC 8628
 *       §5.4, §5.5).
 *   <li>{@code GET} with {@code user_code} ({@code verification_uri_complete}, RFC 8628 §3.3.1) is never passed on:
 *       a plain link would be the same attack. It is redirected to the code entry page with the code filled in
 *       (when it has the shape of a user code), so the user sees it, compares it with the device's, and submits it.
 * </ul>
 */
public final class DeviceVerificationGuard extends OncePerRequestFilter {

    /** What a user code may look like to be filled in (Spring Authorization Server's: 8 letters, a dash). */
    static final Pattern USER_CODE_SHAPE = Pattern.compile("[A-Za-z0-9-]{1,20}");

    private final CsrfTokenRepository tokens = new HttpSessionCsrfTokenRepository();
    private final CsrfTokenRequestHandler handler = new XorCsrfTokenRequestAttributeHandler();

    /** Creates the filter. */
    public DeviceVerificationGuard() {}

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !DeviceVerificationController.PAGE.equals(request.getServletPath());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if ("GET".equals(request.getMethod()) && request.getParameter("user_code") != null) {
            String code = request.getParameter("user_code");
            String query = USER_CODE_SHAPE.matcher(code).matches()
                    ? "?" + DeviceVerificationController.PREFILL + "=" + URLEncoder.encode(code, StandardCharsets.UTF_8)
                    : "";
            response.setHeader("Cache-Control", "no-store");
            response.sendRedirect(request.getContextPath() + DeviceVerificationController.PAGE + query);
            return;
        }
        if ("POST".equals(request.getMethod()) && !csrfTokenValid(request)) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN);
            return;
        }
        chain.doFilter(request, response);
    }

    private boolean csrfTokenValid(HttpServletRequest request) {
        @Nullable CsrfToken expected = tokens.loadToken(request);
        @Nullable String actual = expected == null ? null : handler.resolveCsrfTokenValue(request, expected);
        return expected != null
                && actual != null
                && MessageDigest.isEqual(
                        expected.getToken().getBytes(StandardCharsets.UTF_8), actual.getBytes(StandardCharsets.UTF_8));
    }
}
