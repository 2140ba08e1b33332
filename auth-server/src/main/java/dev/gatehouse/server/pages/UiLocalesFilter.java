package dev.gatehouse.server.pages;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Remembers {@code ui_locales} of an authorization request (OpenID Connect Core 1.0 §3.1.2.1) in the browser's
 * session before Spring Authorization Server answers it, so the pages that follow it without a saved request (the
 * consent page of a signed-in user, the MFA step) are in that language too. Reads the query only, never a body.
 */
final class UiLocalesFilter extends OncePerRequestFilter {

    private final UiLocaleResolver locales;

    UiLocalesFilter(UiLocaleResolver locales) {
        this.locales = Objects.requireNonNull(locales, "locales must not be null");
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !UiLocaleResolver.AUTHORIZE.equals(path) || request.getQueryString() == null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        locales.rememberFromAuthorizationRequest(request);
        chain.doFilter(request, response);
    }
}
