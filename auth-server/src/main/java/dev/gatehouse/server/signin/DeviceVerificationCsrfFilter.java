package dev.gatehouse.server.signin;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.jspecify.annotations.Nullable;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfTokenRequestHandler;
import org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository;
import org.springframework.security.web.csrf.XorCsrfTokenRequestAttributeHandler;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Requires the session's CSRF token on every {@code POST /oauth2/device_verification}. Spring Authorization Server
 * exempts all of its endpoints from Spring Security's CSRF protection, which is right for the client-facing ones
 * and for the authorization consent (its {@code state} is bound to the authorization and unguessable), but not for
 * user-code entry: without a token, another site could make a signed-in user submit the attacker's user code, and
 * for a client that needs no consent that alone would approve the attacker's device on the user's account (RFC 8628
 * §5.4 and §5.5 describe such session-riding). The token is the one the sign-in pages use (the session's, checked
 * as Spring Security's {@code CsrfFilter} checks it); a missing or wrong one gets {@code 403}, before the endpoint.
 */
public final class DeviceVerificationCsrfFilter extends OncePerRequestFilter {

    private final CsrfTokenRepository tokens = new HttpSessionCsrfTokenRepository();
    private final CsrfTokenRequestHandler handler = new XorCsrfTokenRequestAttributeHandler();

    /** Creates the filter. */
    public DeviceVerificationCsrfFilter() {}

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod())
                || !DeviceVerificationController.PAGE.equals(request.getServletPath());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        @Nullable CsrfToken expected = tokens.loadToken(request);
        @Nullable String actual = expected == null ? null : handler.resolveCsrfTokenValue(request, expected);
        if (expected == null
                || actual == null
                || !MessageDigest.isEqual(
                        expected.getToken().getBytes(StandardCharsets.UTF_8),
                        actual.getBytes(StandardCharsets.UTF_8))) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN);
            return;
        }
        chain.doFilter(request, response);
    }
}
