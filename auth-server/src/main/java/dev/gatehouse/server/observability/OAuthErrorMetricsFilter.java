package dev.gatehouse.server.observability;

import dev.gatehouse.server.transport.AuthorizationErrorPage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;

/**
 * Counts the OAuth error responses of the protocol endpoints in {@value #ERRORS} (Prometheus: {@code
 * gatehouse_oauth_errors_total}), tagged {@code endpoint} (a fixed name per endpoint, never the request's path) and
 * {@code error}: the error code the client was sent, if it is one of {@link #CODES}, else {@code other}. The code is
 * read where RFC 6749 puts it, whichever handler wrote the response: the {@code error} member of the JSON body (§5.2),
 * the {@code error} parameter of an error redirect (§4.1.2.1), the {@code error} attribute of a bearer challenge
 * (RFC 6750 §3), or the code recorded for the authorization error page ({@link AuthorizationErrorPage}). A response
 * that carries no code (a {@code 404}, a {@code 405}) is not counted.
 *
 * <p>Registered just before Spring Security: it counts what Spring Security and Spring Authorization Server answer.
 * Rate-limit refusals ({@code gatehouse_ratelimit_refusals_total}), database outages ({@code
 * gatehouse_database_up}) and the request guard's refusals are answered earlier and counted there or not at all.
 *
 * <p>Only error responses are looked at: the response is wrapped, and its first bytes kept, only when its status is
 * already 400 or more when the body is opened; a successful response is passed through untouched. Each endpoint's
 * usual codes are registered at 0 at start, so dashboards and alert rules have their series before the first error.
 */
final class OAuthErrorMetricsFilter extends OncePerRequestFilter {

    /** The counter's name. */
    static final String ERRORS = "gatehouse.oauth.errors";

    /** What a code outside {@link #CODES} is counted as. */
    static final String OTHER = "other";

    /**
     * The error codes counted by name: RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1, RFC 8628 §3.5,
     * RFC 8707 §2, RFC 9449 §5 and §8, RFC 7591 §3.2.2, OpenID Connect Core 1.0 §3.1.2.6.
     */
    static final Set<String> CODES = Set.of(
            "invalid_request",
            "invalid_client",
            "invalid_grant",
            "unauthorized_client",
            "unsupported_grant_type",
            "invalid_scope",
            "access_denied",
            "unsupported_response_type",
            "server_error",
            "temporarily_unavailable",
            "invalid_token",
            "insufficient_scope",
            "unsupported_token_type",
            "authorization_pending",
            "slow_down",
            "expired_token",
            "invalid_target",
            "invalid_dpop_proof",
            "use_dpop_nonce",
            "invalid_redirect_uri",
            "invalid_client_metadata",
            "invalid_software_statement",
            "unapproved_software_statement",
            "interaction_required",
            "login_required",
            "account_selection_required",
            "consent_required",
            "invalid_request_uri",
            "invalid_request_object",
            "request_not_supported",
            "request_uri_not_supported",
            "registration_not_supported");

    /** Each endpoint's name and the codes it answers in normal operation (registered at 0 at start). */
    static final Map<String, List<String>> ENDPOINTS = endpoints();

    /** How much of an error body is kept to find its code: the code comes first in every body we write. */
    private static final int KEEP = 512;

    private static final UrlPathHelper PATHS = paths();

    private final MeterRegistry meters;
    private final Map<String, Map<String, Counter>> counters = new LinkedHashMap<>();

    /**
     * Creates the filter and registers each endpoint's usual codes (and {@code other}) at 0.
     *
     * @param meters where the counter goes
     */
    OAuthErrorMetricsFilter(MeterRegistry meters) {
        this.meters = Objects.requireNonNull(meters, "meters must not be null");
        for (Map.Entry<String, List<String>> endpoint : ENDPOINTS.entrySet()) {
            Map<String, Counter> byCode = new ConcurrentHashMap<>();
            for (String code : endpoint.getValue()) {
                byCode.put(code, register(endpoint.getKey(), code));
            }
            byCode.put(OTHER, register(endpoint.getKey(), OTHER));
            counters.put(endpoint.getKey(), byCode);
        }
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String endpoint = endpoint(request);
        if (endpoint == null) {
            chain.doFilter(request, response);
            return;
        }
        Observed observed = new Observed(response);
        chain.doFilter(request, observed);
        String code = errorCode(request, observed);
        if (code != null) {
            count(endpoint, code);
        }
    }

    /** Adds one to the endpoint's counter for {@code code} (a code outside {@link #CODES} counts as {@code other}). */
    void count(String endpoint, String code) {
        Map<String, Counter> byCode = Objects.requireNonNull(counters.get(endpoint), "unknown endpoint");
        String tag = CODES.contains(code) ? code : OTHER;
        byCode.computeIfAbsent(tag, c -> register(endpoint, c)).increment();
    }

    private Counter register(String endpoint, String code) {
        return Counter.builder(ERRORS)
                .description("OAuth error responses of the protocol endpoints, by endpoint and error code")
                .tag("endpoint", endpoint)
                .tag("error", code)
                .register(meters);
    }

    /** The endpoint's fixed name, matched on the decoded, normalised path; {@code null} for any other request. */
    static @Nullable String endpoint(HttpServletRequest request) {
        String path = PATHS.getPathWithinApplication(request);
        return switch (path) {
            case "/oauth2/token" -> "token";
            case "/oauth2/authorize" -> "authorize";
            case "/oauth2/par" -> "par";
            case "/oauth2/device_authorization" -> "device_authorization";
            case "/oauth2/introspect" -> "introspect";
            case "/oauth2/revoke" -> "revoke";
            case "/userinfo" -> "userinfo";
            case "/connect/logout" -> "logout";
            default -> path.equals("/oauth2/register") || path.startsWith("/oauth2/register/") ? "registration" : null;
        };
    }

    /** The error code the response carries, or {@code null} if it is not an OAuth error response. */
    static @Nullable String errorCode(HttpServletRequest request, Observed response) {
        int status = response.getStatus();
        if (status >= 300 && status < 400) {
            // RFC 6749 §4.1.2.1 (query) or OAuth 2.0 Multiple Response Types §5 (fragment): the error redirect.
            String location = response.getHeader("Location");
            return location == null ? null : redirectError(location);
        }
        if (status < 400) {
            return null;
        }
        String code = bodyError(response.kept());
        if (code == null) {
            String challenge = response.getHeader("WWW-Authenticate");
            code = challenge == null ? null : challengeError(challenge);
        }
        return code != null ? code : AuthorizationErrorPage.recordedCode(request);
    }

    /** The {@code error} parameter of a redirect's query or fragment, or {@code null}. */
    static @Nullable String redirectError(String location) {
        int query = location.indexOf('?');
        int fragment = location.indexOf('#');
        String parameters =
                query < 0 ? "" : location.substring(query + 1, fragment > query ? fragment : location.length());
        if (fragment >= 0) {
            parameters = parameters + "&" + location.substring(fragment + 1);
        }
        for (String pair : parameters.split("&", -1)) {
            if (pair.startsWith("error=")) {
                return token(pair, "error=".length(), '&');
            }
        }
        return null;
    }

    /** The {@code error} member of a JSON error body (RFC 6749 §5.2), or {@code null}. */
    static @Nullable String bodyError(String body) {
        int key = body.indexOf("\"error\"");
        if (key < 0) {
            return null;
        }
        int i = key + "\"error\"".length();
        while (i < body.length() && Character.isWhitespace(body.charAt(i))) {
            i++;
        }
        if (i >= body.length() || body.charAt(i) != ':') {
            return null;
        }
        i++;
        while (i < body.length() && Character.isWhitespace(body.charAt(i))) {
            i++;
        }
        if (i >= body.length() || body.charAt(i) != '"') {
            return null;
        }
        return token(body, i + 1, '"');
    }

    /** The {@code error} attribute of a bearer challenge (RFC 6750 §3), or {@code null}. */
    static @Nullable String challengeError(String challenge) {
        int at = challenge.indexOf("error=\"");
        // Not error_description="..." or error_uri="...": those do not contain error=" at all.
        return at < 0 ? null : token(challenge, at + "error=\"".length(), '"');
    }

    /**
     * The code from {@code from} up to {@code end}; a value with a character no error code has (RFC 6749 §5.2 allows
     * %x20-21 / %x23-5B / %x5D-7E; every registered code is lower case letters and underscores) counts as {@code
     * other}, so nothing odd from a body reaches a tag.
     */
    private static String token(String s, int from, char end) {
        int stop = s.indexOf(end, from);
        String value = s.substring(from, stop < 0 ? s.length() : stop);
        if (value.isEmpty() || value.length() > 64) {
            return OTHER;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(c >= 'a' && c <= 'z') && c != '_') {
                return OTHER;
            }
        }
        return value;
    }

    private static Map<String, List<String>> endpoints() {
        List<String> clientAuthenticated =
                List.of("invalid_request", "invalid_client", "server_error", "temporarily_unavailable");
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put(
                "token",
                List.of(
                        "invalid_request",
                        "invalid_client",
                        "invalid_grant",
                        "unauthorized_client",
                        "unsupported_grant_type",
                        "invalid_scope",
                        "invalid_target",
                        "invalid_dpop_proof",
                        "use_dpop_nonce",
                        "authorization_pending",
                        "slow_down",
                        "expired_token",
                        "access_denied",
                        "server_error",
                        "temporarily_unavailable"));
        m.put(
                "authorize",
                List.of(
                        "invalid_request",
                        "unauthorized_client",
                        "access_denied",
                        "unsupported_response_type",
                        "invalid_scope",
                        "server_error",
                        "temporarily_unavailable",
                        "login_required",
                        "consent_required",
                        "interaction_required",
                        "invalid_request_uri",
                        "invalid_request_object"));
        m.put(
                "par",
                List.of(
                        "invalid_request",
                        "invalid_client",
                        "unauthorized_client",
                        "invalid_scope",
                        "invalid_request_object",
                        "server_error",
                        "temporarily_unavailable"));
        m.put(
                "device_authorization",
                List.of(
                        "invalid_request",
                        "invalid_client",
                        "unauthorized_client",
                        "invalid_scope",
                        "server_error",
                        "temporarily_unavailable"));
        m.put("introspect", clientAuthenticated);
        m.put(
                "revoke",
                List.of(
                        "invalid_request",
                        "invalid_client",
                        "unsupported_token_type",
                        "server_error",
                        "temporarily_unavailable"));
        m.put("userinfo", List.of("invalid_request", "invalid_token", "insufficient_scope", "invalid_dpop_proof"));
        m.put("logout", List.of("invalid_request"));
        m.put(
                "registration",
                List.of(
                        "invalid_request",
                        "invalid_token",
                        "insufficient_scope",
                        "invalid_redirect_uri",
                        "invalid_client_metadata",
                        "invalid_software_statement",
                        "unapproved_software_statement"));
        return java.util.Collections.unmodifiableMap(m);
    }

    private static UrlPathHelper paths() {
        UrlPathHelper helper = new UrlPathHelper();
        helper.setUrlDecode(true);
        helper.setRemoveSemicolonContent(true);
        return helper;
    }

    /**
     * The response as the endpoint writes it; keeps the first {@value #KEEP} bytes of the body only when the status is
     * already an error when the body is opened.
     */
    static final class Observed extends HttpServletResponseWrapper {

        private final StringBuilder kept = new StringBuilder();
        private @Nullable ServletOutputStream stream;
        private @Nullable PrintWriter writer;

        Observed(HttpServletResponse response) {
            super(response);
        }

        /** The kept start of an error body (empty for any other response). */
        String kept() {
            return kept.toString();
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            ServletOutputStream out = super.getOutputStream();
            if (getStatus() < 400) {
                return out;
            }
            ServletOutputStream s = stream;
            if (s == null) {
                s = new KeepingStream(out, kept);
                stream = s;
            }
            return s;
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            PrintWriter out = super.getWriter();
            if (getStatus() < 400) {
                return out;
            }
            PrintWriter w = writer;
            if (w == null) {
                w = new PrintWriter(new KeepingWriter(out, kept));
                writer = w;
            }
            return w;
        }
    }

    private static final class KeepingStream extends ServletOutputStream {

        private final ServletOutputStream out;
        private final StringBuilder kept;

        KeepingStream(ServletOutputStream out, StringBuilder kept) {
            this.out = out;
            this.kept = kept;
        }

        @Override
        public void write(int b) throws IOException {
            if (kept.length() < KEEP) {
                kept.append((char) (b & 0xff));
            }
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int n = Math.min(len, KEEP - kept.length());
            if (n > 0) {
                // Error codes and JSON punctuation are ASCII: Latin-1 keeps them byte for byte.
                kept.append(new String(b, off, n, StandardCharsets.ISO_8859_1));
            }
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }

        @Override
        public boolean isReady() {
            return out.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            out.setWriteListener(listener);
        }
    }

    private static final class KeepingWriter extends Writer {

        private final PrintWriter out;
        private final StringBuilder kept;

        KeepingWriter(PrintWriter out, StringBuilder kept) {
            this.out = out;
            this.kept = kept;
        }

        @Override
        public void write(char[] buffer, int off, int len) {
            int n = Math.min(len, KEEP - kept.length());
            if (n > 0) {
                kept.append(buffer, off, n);
            }
            out.write(buffer, off, len);
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            out.close();
        }
    }
}
