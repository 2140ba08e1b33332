package dev.gatehouse.server.signin;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.Serial;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.security.web.savedrequest.SavedRequest;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * The request a sign-in returns to, kept in the session as its method, path and query only. Spring Security's
 * {@code HttpSessionRequestCache} keeps a {@code DefaultSavedRequest}: every header and cookie of the request (the
 * session cookie, any {@code Authorization} header, the other cookies of the site) and its host. Sessions are rows in
 * the database every node shares, so that copy would put credentials in the database; the sign-in only ever uses
 * the path and query ({@link SavedRequestRedirect}), which this cache keeps and nothing else.
 *
 * <p>It uses Spring Security's session attribute and {@code continue} marker, so the URL a sign-in resumes is the one
 * Spring Security's cache would give. A resumed request is not wrapped: the browser sends the saved request again
 * in full, so there are no headers or parameters to restore.
 */
public final class PathOnlyRequestCache implements RequestCache {

    /** The session attribute, Spring Security's own ({@code HttpSessionRequestCache}'s default). */
    static final String SAVED_REQUEST = "SPRING_SECURITY_SAVED_REQUEST";

    /** The query parameter that marks a resumed request, as Spring Security's cache adds it. */
    static final String CONTINUE = "continue";

    private final RequestMatcher requests;

    private PathOnlyRequestCache(RequestMatcher requests) {
        this.requests = requests;
    }

    /**
     * A cache that saves every request it is given (the caller decides which).
     *
     * @return the cache
     */
    public static PathOnlyRequestCache create() {
        return new PathOnlyRequestCache(AnyRequestMatcher.INSTANCE);
    }

    /**
     * A cache that saves only the requests {@code requests} matches.
     *
     * @param requests the requests worth returning to after a sign-in
     * @return the cache
     */
    public static PathOnlyRequestCache of(RequestMatcher requests) {
        return new PathOnlyRequestCache(Objects.requireNonNull(requests, "requests must not be null"));
    }

    @Override
    public void saveRequest(HttpServletRequest request, HttpServletResponse response) {
        if (!requests.matches(request)) {
            return;
        }
        request.getSession()
                .setAttribute(
                        SAVED_REQUEST,
                        new SavedPath(request.getMethod(), request.getRequestURI(), withoutContinue(request)));
    }

    @Override
    public @Nullable SavedRequest getRequest(HttpServletRequest request, HttpServletResponse response) {
        HttpSession session = request.getSession(false);
        return session != null && session.getAttribute(SAVED_REQUEST) instanceof SavedRequest saved ? saved : null;
    }

    @Override
    public void removeRequest(HttpServletRequest request, HttpServletResponse response) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.removeAttribute(SAVED_REQUEST);
        }
    }

    /**
     * The current request, when it is the saved one coming back (it carries the {@code continue} marker and the
     * saved path and query); the saved request is then removed.
     */
    @Override
    public @Nullable HttpServletRequest getMatchingRequest(HttpServletRequest request, HttpServletResponse response) {
        String query = request.getQueryString();
        if (query == null || !hasContinue(query)) {
            return null;
        }
        SavedRequest saved = getRequest(request, response);
        if (saved == null || !saved.getRedirectUrl().equals(request.getRequestURI() + "?" + query)) {
            return null;
        }
        removeRequest(request, response);
        return request;
    }

    private static @Nullable String withoutContinue(HttpServletRequest request) {
        String query = request.getQueryString();
        if (query == null || query.isEmpty()) {
            return null;
        }
        List<String> kept = new ArrayList<>();
        for (String pair : query.split("&", -1)) {
            if (!isContinue(pair)) {
                kept.add(pair);
            }
        }
        return kept.isEmpty() ? null : String.join("&", kept);
    }

    private static boolean hasContinue(String query) {
        for (String pair : query.split("&", -1)) {
            if (isContinue(pair)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isContinue(String pair) {
        return pair.equals(CONTINUE) || pair.startsWith(CONTINUE + "=");
    }

    /**
     * A saved request as its method, path (context path included, as sent) and query, without the {@code continue}
     * marker. Headers, cookies, locales and parameters are never kept: their accessors answer empty.
     *
     * @param method the HTTP method
     * @param path the request's path, undecoded
     * @param query the query string, undecoded, or {@code null}
     */
    record SavedPath(String method, String path, @Nullable String query) implements SavedRequest {

        @Serial
        private static final long serialVersionUID = 1L;

        SavedPath {
            Objects.requireNonNull(method, "method must not be null");
            Objects.requireNonNull(path, "path must not be null");
        }

        /** The path and query with the {@code continue} marker, as Spring Security's saved request gives it. */
        @Override
        public String getRedirectUrl() {
            return path + "?" + (query == null ? CONTINUE : query + "&" + CONTINUE);
        }

        @Override
        public List<Cookie> getCookies() {
            return List.of();
        }

        @Override
        public String getMethod() {
            return method;
        }

        @Override
        public List<String> getHeaderValues(String name) {
            return List.of();
        }

        @Override
        public Collection<String> getHeaderNames() {
            return List.of();
        }

        @Override
        public List<Locale> getLocales() {
            return List.of();
        }

        @Override
        public String[] getParameterValues(String name) {
            return new String[0];
        }

        @Override
        public Map<String, String[]> getParameterMap() {
            return Map.of();
        }
    }
}
