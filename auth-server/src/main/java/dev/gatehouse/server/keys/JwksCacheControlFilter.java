package dev.gatehouse.server.keys;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code Cache-Control: public, max-age=M} on the JWK Set endpoint (RFC 9111 §5.2.2.1, §5.2.2.9), so verifiers and
 * HTTP caches in front of the nodes keep the JWKS at most {@code gatehouse.token.jwks-max-age}: the {@code M} of
 * {@link dev.gatehouse.core.jwt.KeyRing}'s invariant, which a key outlives as NEXT before it signs. Spring Authorization
 * Server's JWK Set endpoint has no hook for response headers, hence this filter; it runs before Spring Security,
 * whose default {@code no-store} headers then leave the header alone. Any other status than 200 (a rate limit, an
 * error) is sent {@code no-store} instead, so no cache keeps it.
 */
final class JwksCacheControlFilter extends OncePerRequestFilter {

    private final String path;
    private final String cacheControl;

    /**
     * Creates the filter.
     *
     * @param path the JWK Set endpoint's path, such as {@code /oauth2/jwks}
     * @param maxAge how long the JWKS may be cached; zero or more
     */
    JwksCacheControlFilter(String path, Duration maxAge) {
        this.path = Objects.requireNonNull(path, "path must not be null");
        Objects.requireNonNull(maxAge, "maxAge must not be null");
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("gatehouse.token.jwks-max-age must not be negative");
        }
        this.cacheControl = "public, max-age=" + maxAge.toSeconds();
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        String within = context != null && uri.startsWith(context) ? uri.substring(context.length()) : uri;
        return !"GET".equals(request.getMethod()) || !path.equals(within);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader(HttpHeaders.CACHE_CONTROL, cacheControl);
        chain.doFilter(request, new CacheableOnlyWhenOk(response));
    }

    /** Replaces the header with {@code no-store} as soon as the status is anything but 200. */
    private static final class CacheableOnlyWhenOk extends HttpServletResponseWrapper {

        CacheableOnlyWhenOk(HttpServletResponse response) {
            super(response);
        }

        @Override
        public void setStatus(int status) {
            super.setStatus(status);
            if (status != SC_OK) {
                setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
            }
        }

        @Override
        public void sendError(int status) throws IOException {
            setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
            super.sendError(status);
        }

        @Override
        public void sendError(int status, String message) throws IOException {
            setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
            super.sendError(status, message);
        }
    }
}
