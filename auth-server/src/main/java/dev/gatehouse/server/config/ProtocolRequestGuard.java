package dev.gatehouse.server.config;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses malformed protocol requests with {@code 400 invalid_request} (RFC 6749 §5.2, §4.1.2.1) before Spring
 * Authorization Server sees them:
 *
 * <ul>
 *   <li>oversized bodies: a declared length over the limit is refused before anything reads it, and a form too large
 *       for the container (e.g. chunked) is caught when parameters are first parsed;
 *   <li>repeated parameters on the back-channel endpoints (RFC 6749 §3.1, §3.2: "parameters MUST NOT be included more than
 *       once"), except {@code resource} and {@code audience}, which RFC 8707 and RFC 8693 allow to repeat. Spring
 *       Authorization Server 7.0.6 checks this per endpoint but fails with a server error when a client
 *       authenticated by {@code client_secret_basic} repeats {@code code} (its PKCE pre-check casts the value).
 * </ul>
 */
final class ProtocolRequestGuard extends OncePerRequestFilter {

    /** Default limit: 64 KiB, far above any legitimate OAuth request. */
    static final long DEFAULT_MAX_BYTES = 64 * 1024;

    private static final org.springframework.web.util.UrlPathHelper PATHS = paths();

    private static org.springframework.web.util.UrlPathHelper paths() {
        org.springframework.web.util.UrlPathHelper helper = new org.springframework.web.util.UrlPathHelper();
        helper.setUrlDecode(true);
        helper.setRemoveSemicolonContent(true);
        return helper;
    }

    private static final Set<String> REPEATABLE = Set.of("resource", "audience");
    private static final Set<String> BACK_CHANNEL = Set.of(
            "/oauth2/token", "/oauth2/introspect", "/oauth2/revoke", "/oauth2/par", "/oauth2/device_authorization");

    private final long maxBytes;

    ProtocolRequestGuard(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > maxBytes) {
            refuse(response, "request too large");
            return;
        }
        // Repeated parameters are refused on the back-channel endpoints; see isProtocolEndpoint.
        try {
            if (isProtocolEndpoint(request)) {
                for (Map.Entry<String, String[]> p : request.getParameterMap().entrySet()) {
                    if (p.getValue().length > 1 && !REPEATABLE.contains(p.getKey())) {
                        refuse(response, "parameter repeated: " + p.getKey());
                        return;
                    }
                }
            }
            chain.doFilter(request, response);
        } catch (InvalidParameterException e) {
            if (response.isCommitted()) {
                throw e;
            }
            response.reset();
            // Tomcat marks a form over its size limit 413; everything else (a malformed percent-encoding such as
            // %zz, an undecodable byte sequence, too many parameters) is a malformed request.
            refuse(
                    response,
                    e.getErrorCode() == HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE
                            ? "request too large"
                            : "malformed request parameters (invalid percent-encoding or character encoding, or too"
                                    + " many parameters)");
        }
    }

    /**
     * The back-channel endpoints. The authorization endpoint is left to Spring Authorization Server, which must
     * decide whether an error may be redirected to the client (RFC 6749 §4.1.2.1).
     */
    private static boolean isProtocolEndpoint(HttpServletRequest request) {
        // Decoded and normalised as the endpoint matchers see it: a raw comparison let /oauth2/%74oken through.
        String path = PATHS.getPathWithinApplication(request);
        return BACK_CHANNEL.contains(path);
    }

    private static void refuse(HttpServletResponse response, String description) throws IOException {
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "no-store");
        String body = "{\"error\":\"invalid_request\",\"error_description\":\"" + jsonEscape(description) + "\"}";
        response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    }

    /** Parameter names come from the request: escaped so they cannot break out of the JSON string. */
    static String jsonEscape(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
