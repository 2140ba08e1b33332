package dev.gatehouse.server.config;

import dev.gatehouse.server.dynamicclients.DynamicRegistration;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Keeps access tokens where they are credentials: the UserInfo endpoint, a protected resource (RFC 6750 §2.1, RFC 9449
 * §7.1). Spring Authorization Server turns on a resource server for the whole protocol chain when UserInfo is on, so an
 * {@code Authorization: Bearer} (or {@code DPoP}) header signed a request in as the token's subject at any endpoint of
 * that chain. At the authorization endpoint that made a client's access token stand in for a signed-in user: a pushed
 * request sent with it got a code without sign-in, consent or a fresh {@code prompt=login}. Everywhere but UserInfo this
 * filter hides such a header, so the request is what it is without it: anonymous at the authorization and device
 * verification endpoints (sign-in page), unauthenticated at the client endpoints ({@code invalid_client}, as RFC 6749
 * §2.3 allows no access token as client authentication).
 *
 * <p>At the dynamic registration endpoints the bearer token is an initial or registration access token (RFC 7591 §3,
 * RFC 7592 §2), no access token of this server: it is hidden from the resource server just the same, and kept in a
 * request attribute ({@code DynamicRegistration.AUTHORIZATION_ATTRIBUTE}) for those endpoints alone.
 */
final class AccessTokensOnlyAtUserInfo extends OncePerRequestFilter {

    private static final List<String> TOKEN_SCHEMES = List.of("bearer", "dpop");

    private final RequestMatcher userInfo;
    private final RequestMatcher registration;

    AccessTokensOnlyAtUserInfo(RequestMatcher userInfo) {
        this(userInfo, request -> false);
    }

    AccessTokensOnlyAtUserInfo(RequestMatcher userInfo, RequestMatcher registration) {
        this.userInfo = Objects.requireNonNull(userInfo, "userInfo must not be null");
        this.registration = Objects.requireNonNull(registration, "registration must not be null");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (userInfo.matches(request) || !carriesAccessToken(request)) {
            chain.doFilter(request, response);
            return;
        }
        if (registration.matches(request)) {
            request.setAttribute(
                    DynamicRegistration.AUTHORIZATION_ATTRIBUTE, request.getHeader(HttpHeaders.AUTHORIZATION));
        }
        chain.doFilter(new WithoutAccessToken(request), response);
    }

    private static boolean carriesAccessToken(HttpServletRequest request) {
        Enumeration<String> values = request.getHeaders(HttpHeaders.AUTHORIZATION);
        while (values != null && values.hasMoreElements()) {
            if (isAccessToken(values.nextElement())) {
                return true;
            }
        }
        return false;
    }

    static boolean isAccessToken(@Nullable String authorization) {
        if (authorization == null) {
            return false;
        }
        String value = authorization.strip();
        int space = value.indexOf(' ');
        String scheme = (space < 0 ? value : value.substring(0, space)).toLowerCase(Locale.ROOT);
        return TOKEN_SCHEMES.contains(scheme);
    }

    /** The request without its access-token {@code Authorization} values; every other header unchanged. */
    private static final class WithoutAccessToken extends HttpServletRequestWrapper {

        WithoutAccessToken(HttpServletRequest request) {
            super(request);
        }

        @Override
        public @Nullable String getHeader(String name) {
            if (!HttpHeaders.AUTHORIZATION.equalsIgnoreCase(name)) {
                return super.getHeader(name);
            }
            List<String> kept = kept();
            return kept.isEmpty() ? null : kept.get(0);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            if (!HttpHeaders.AUTHORIZATION.equalsIgnoreCase(name)) {
                return super.getHeaders(name);
            }
            return Collections.enumeration(kept());
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = Collections.list(super.getHeaderNames());
            if (kept().isEmpty()) {
                names.removeIf(HttpHeaders.AUTHORIZATION::equalsIgnoreCase);
            }
            return Collections.enumeration(names);
        }

        private List<String> kept() {
            Enumeration<String> values = super.getHeaders(HttpHeaders.AUTHORIZATION);
            if (values == null) {
                return List.of();
            }
            return Collections.list(values).stream()
                    .filter(v -> !isAccessToken(v))
                    .toList();
        }
    }
}
