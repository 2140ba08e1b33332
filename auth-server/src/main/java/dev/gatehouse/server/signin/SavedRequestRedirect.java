package dev.gatehouse.server.signin;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.WebAttributes;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.security.web.savedrequest.SavedRequest;

/**
 * Where a sign-in step continues: the request saved before it (an authorization request, usually), taken out of the
 * session, as a URL on the configured issuer ({@code gatehouse.token.issuer}), or as a path on this server when no issuer
 * is configured; {@code /} when nothing was saved. The saved request is a path and query ({@link
 * PathOnlyRequestCache}); were it Spring Security's, it would hold an absolute URL built from the request's {@code
 * Host} header (a forged header would choose where the browser goes next): only a path and query are ever used, and
 * the scheme, host and port are the issuer's. Used as the sign-in form's success handler
 * and by the second-factor steps.
 */
public final class SavedRequestRedirect implements AuthenticationSuccessHandler {

    private final @Nullable String issuer;
    private final RequestCache requestCache = PathOnlyRequestCache.create();

    /**
     * Creates the redirect.
     *
     * @param issuer the configured issuer, or {@code null} (then paths are relative, RFC 9110 §10.2.2)
     */
    public SavedRequestRedirect(@Nullable String issuer) {
        this.issuer = issuer == null || issuer.isBlank() ? null : stripTrailingSlash(issuer.strip());
    }

    @Override
    public void onAuthenticationSuccess(
            HttpServletRequest request, HttpServletResponse response, Authentication authentication)
            throws IOException {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.removeAttribute(WebAttributes.AUTHENTICATION_EXCEPTION);
        }
        response.sendRedirect(resume(request, response));
    }

    /**
     * The URL to continue with, the saved request removed from the session.
     *
     * @param request the current request
     * @param response the current response
     * @return an issuer URL, or a path when no issuer is configured
     */
    public String resume(HttpServletRequest request, HttpServletResponse response) {
        @Nullable SavedRequest saved = requestCache.getRequest(request, response);
        if (saved == null) {
            return onIssuer("/");
        }
        requestCache.removeRequest(request, response);
        String path = pathAndQuery(saved.getRedirectUrl());
        String context = request.getContextPath();
        if (issuer != null && !context.isEmpty() && path.startsWith(context + "/")) {
            // The issuer names the server's public base, context path included (as in discovery metadata).
            path = path.substring(context.length());
        }
        return onIssuer(path);
    }

    /**
     * A saved URL's path and query, or {@code /} when it has none that is a plain absolute path.
     *
     * @param savedUrl the saved URL
     * @return the path and query
     */
    public static String pathAndQuery(String savedUrl) {
        try {
            URI uri = URI.create(savedUrl);
            String path = uri.getRawPath();
            if (path == null || !path.startsWith("/") || path.startsWith("//")) {
                return "/";
            }
            return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        } catch (IllegalArgumentException e) {
            return "/";
        }
    }

    private String onIssuer(String path) {
        return issuer == null ? path : issuer + path;
    }

    private static String stripTrailingSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
