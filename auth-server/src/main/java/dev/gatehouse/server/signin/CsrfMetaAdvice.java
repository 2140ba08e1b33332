package dev.gatehouse.server.signin;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * Tells the layout ({@code csrfMeta}) to write the CSRF header name and token into {@code <meta>} tags, read by the
 * scripts that post JSON (the passkey ceremonies, issue #16): on the sign-in page (its form holds the token already)
 * and on every page of a signed-in session. Not on other anonymous pages: reading the token makes a session, and an
 * anonymous visit creates none (issue #13 item 5).
 */
@ControllerAdvice
final class CsrfMetaAdvice {

    /** Creates the advice. */
    CsrfMetaAdvice() {}

    /** Whether the page may carry the CSRF token in its head. */
    @ModelAttribute("csrfMeta")
    boolean csrfMeta(HttpServletRequest request) {
        if ("/login".equals(request.getServletPath())) {
            return true;
        }
        @Nullable Authentication user = SecurityContextHolder.getContext().getAuthentication();
        return user != null && user.isAuthenticated() && !(user instanceof AnonymousAuthenticationToken);
    }
}
