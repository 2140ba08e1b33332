package dev.gatehouse.server.pages;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.web.savedrequest.SavedRequest;
import org.springframework.web.servlet.LocaleResolver;

/**
 * The language of a page: the first supported tag of OIDC {@code ui_locales} (OpenID Connect Core 1.0 §3.1.2.1, a
 * space-separated list of BCP 47 tags in order of preference) of the authorization request in progress, either the
 * request itself on {@code /oauth2/authorize} or the one saved for after the sign-in, or the pushed request (RFC 9126)
 * its {@code request_uri} names; that choice is remembered for the browser session. Otherwise the best supported
 * language of {@code Accept-Language} (RFC 9110 §12.5.4), otherwise the first supported language (English unless
 * {@code gatehouse.server.ui.locales} says otherwise). Never the machine's locale: a request without
 * {@code Accept-Language} does not get the servlet container's default.
 *
 * <p>Only the language is used ({@code de-CH} shows German). Overlong or malformed values are ignored, never echoed.
 */
public final class UiLocaleResolver implements LocaleResolver {

    /** The session attribute holding the language chosen by {@code ui_locales}. */
    static final String SESSION_ATTRIBUTE = UiLocaleResolver.class.getName() + ".LOCALE";

    /** Spring Security's session attribute of the request a sign-in returns to (signin.PathOnlyRequestCache). */
    static final String SAVED_REQUEST = "SPRING_SECURITY_SAVED_REQUEST";

    /** The authorization endpoint, whose {@code ui_locales} counts. */
    static final String AUTHORIZE = "/oauth2/authorize";

    static final String UI_LOCALES = "ui_locales";

    /** Far beyond any real header or parameter; anything longer is ignored rather than parsed. */
    private static final int MAX_LENGTH = 512;

    static final String REQUEST_URI = "request_uri";

    /** The request attribute caching the resolved locale (a pushed request is looked up once per request). */
    private static final String RESOLVED = UiLocaleResolver.class.getName() + ".RESOLVED";

    /** The ui_locales of a pushed request, by its {@code request_uri}. */
    @FunctionalInterface
    public interface PushedRequests {

        /**
         * The {@code ui_locales} a pushed authorization request carried.
         *
         * @param requestUri the {@code request_uri} (RFC 9126 §2.2)
         * @return its {@code ui_locales}, or {@code null} when it has none or is unknown
         */
        @Nullable
        String uiLocales(String requestUri);
    }

    private final List<Locale> supported;
    private final Locale fallback;
    private final PushedRequests pushed;

    /**
     * Creates the resolver.
     *
     * @param supported the languages the bundles hold, the first the default (English, German, French)
     * @param pushed finds {@code ui_locales} of a pushed authorization request (RFC 9126)
     */
    public UiLocaleResolver(List<Locale> supported, PushedRequests pushed) {
        Objects.requireNonNull(supported, "supported must not be null");
        if (supported.isEmpty()) {
            throw new IllegalArgumentException("supported must not be empty");
        }
        this.supported = List.copyOf(supported);
        this.fallback = this.supported.get(0);
        this.pushed = Objects.requireNonNull(pushed, "pushed must not be null");
    }

    /**
     * English, German and French, English the default.
     *
     * @param pushed finds {@code ui_locales} of a pushed authorization request (RFC 9126)
     * @return the resolver
     */
    public static UiLocaleResolver standard(PushedRequests pushed) {
        return new UiLocaleResolver(List.of(Locale.ENGLISH, Locale.GERMAN, Locale.FRENCH), pushed);
    }

    /**
     * English, German and French, English the default; {@code ui_locales} of pushed requests is not looked up.
     *
     * @return the resolver
     */
    public static UiLocaleResolver standard() {
        return standard(requestUri -> null);
    }

    @Override
    public Locale resolveLocale(HttpServletRequest request) {
        if (request.getAttribute(RESOLVED) instanceof Locale resolved) {
            return resolved;
        }
        Locale locale = resolve(request);
        request.setAttribute(RESOLVED, locale);
        return locale;
    }

    private Locale resolve(HttpServletRequest request) {
        @Nullable Locale chosen = fromAuthorizationRequest(request);
        if (chosen != null) {
            remember(request, chosen);
            return chosen;
        }
        HttpSession session = request.getSession(false);
        if (session != null && session.getAttribute(SESSION_ATTRIBUTE) instanceof Locale remembered) {
            return remembered;
        }
        @Nullable Locale accepted = fromAcceptLanguage(request.getHeader("Accept-Language"));
        return accepted != null ? accepted : fallback;
    }

    @Override
    public void setLocale(HttpServletRequest request, @Nullable HttpServletResponse response, @Nullable Locale locale) {
        @Nullable Locale kept = locale == null ? null : supportedLanguage(locale.getLanguage());
        if (kept == null) {
            HttpSession session = request.getSession(false);
            if (session != null) {
                session.removeAttribute(SESSION_ATTRIBUTE);
            }
            return;
        }
        request.getSession().setAttribute(SESSION_ATTRIBUTE, kept);
        request.setAttribute(RESOLVED, kept);
    }

    /**
     * Remembers {@code ui_locales} of an authorization request for the session, when it names a supported language
     * and the browser has a session already (an authorization request never starts one for this alone).
     *
     * @param request a request to {@code /oauth2/authorize}
     */
    void rememberFromAuthorizationRequest(HttpServletRequest request) {
        @Nullable String query = request.getQueryString();
        @Nullable Locale chosen = query == null || request.getSession(false) == null ? null : fromQuery(query);
        if (chosen != null) {
            remember(request, chosen);
        }
    }

    private @Nullable Locale fromAuthorizationRequest(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (AUTHORIZE.equals(path) && request.getQueryString() != null) {
            return fromQuery(request.getQueryString());
        }
        HttpSession session = request.getSession(false);
        if (session != null && session.getAttribute(SAVED_REQUEST) instanceof SavedRequest saved) {
            String url = saved.getRedirectUrl();
            int q = url.indexOf('?');
            if (q >= 0 && url.substring(0, q).endsWith(AUTHORIZE)) {
                return fromQuery(url.substring(q + 1));
            }
        }
        return null;
    }

    /** {@code ui_locales} of an authorization request's query, or of the pushed request its {@code request_uri} names. */
    private @Nullable Locale fromQuery(String query) {
        @Nullable String uiLocales = parameter(query, UI_LOCALES);
        if (uiLocales == null) {
            @Nullable String requestUri = parameter(query, REQUEST_URI);
            if (requestUri != null && !requestUri.isEmpty() && requestUri.length() <= MAX_LENGTH) {
                uiLocales = pushed.uiLocales(requestUri);
            }
        }
        return fromUiLocales(uiLocales);
    }

    private static void remember(HttpServletRequest request, Locale chosen) {
        HttpSession session = request.getSession(false);
        if (session != null && !chosen.equals(session.getAttribute(SESSION_ATTRIBUTE))) {
            session.setAttribute(SESSION_ATTRIBUTE, chosen);
        }
    }

    /** The first supported language of a {@code ui_locales} value, or {@code null}. */
    @Nullable
    Locale fromUiLocales(@Nullable String value) {
        if (value == null || value.length() > MAX_LENGTH) {
            return null;
        }
        for (String tag : value.trim().split(" +")) {
            @Nullable Locale found = supportedLanguage(language(tag));
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** The supported language the browser prefers most (weights honoured, {@code q=0} excluded), or {@code null}. */
    @Nullable
    Locale fromAcceptLanguage(@Nullable String header) {
        if (header == null || header.isBlank() || header.length() > MAX_LENGTH) {
            return null;
        }
        List<Locale.LanguageRange> ranges;
        try {
            ranges = Locale.LanguageRange.parse(header);
        } catch (IllegalArgumentException malformed) {
            return null;
        }
        for (Locale.LanguageRange range : ranges) {
            if (range.getWeight() <= 0) {
                continue;
            }
            @Nullable Locale found = supportedLanguage(language(range.getRange()));
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private @Nullable Locale supportedLanguage(String language) {
        for (Locale locale : supported) {
            if (locale.getLanguage().equals(language)) {
                return locale;
            }
        }
        return null;
    }

    /** The primary language subtag, lower case; empty for {@code *} or anything that is not a language. */
    private static String language(String tag) {
        int dash = tag.indexOf('-');
        String primary = (dash < 0 ? tag : tag.substring(0, dash)).toLowerCase(Locale.ROOT);
        return primary.length() >= 2 && primary.length() <= 8 && primary.chars().allMatch(c -> c >= 'a' && c <= 'z')
                ? primary
                : "";
    }

    /** The first value of a parameter in a raw query, decoded, or {@code null}. */
    static @Nullable String parameter(String query, String name) {
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) {
                try {
                    return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException malformed) {
                    return null;
                }
            }
        }
        return null;
    }
}
