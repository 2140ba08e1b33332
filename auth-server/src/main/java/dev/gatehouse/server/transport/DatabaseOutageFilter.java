package dev.gatehouse.server.transport;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;

/**
 * Answers a request that failed because the database is unavailable ({@link DatabaseUnavailable}) with {@code 503
 * Service Unavailable}, {@code Retry-After} (RFC 9110 §10.2.3) and {@code Cache-Control: no-store}, wherever the
 * failure was thrown: in Spring Security's filters and providers (client authentication, the token, introspection and
 * UserInfo endpoints, {@code JdbcOAuth2AuthorizationService}), in a controller, or when a shared session is saved. It
 * is registered before Spring Session and Spring Security, so it sees what they let through; anything else is
 * rethrown unchanged (a bug stays a {@code 500}).
 *
 * <p>The body never carries the exception, SQL or host names:
 *
 * <ul>
 *   <li>the OAuth endpoints called by clients (token, introspection, revocation, device authorization, PAR, JWKS,
 *       UserInfo, registration): an RFC 6749 §5.2-shaped JSON body with {@code temporarily_unavailable} (the code
 *       RFC 6749 §4.1.2.1 defines for this case), which OAuth clients already parse;
 *   <li>the authorization endpoint: Gatehouse's error page, never an error redirect. RFC 6749 §4.1.2.1 allows a
 *       redirect only to a redirect URI validated against the client's registration, and that registration is in the
 *       database that is down (a cached copy may be stale: a removed redirect URI must not be used);
 *   <li>the admin API and everything else: the error dispatch, so {@link GatehouseErrorController} answers an RFC
 *       9457 problem document ({@code application/problem+json}) or, for browsers, the error page.
 * </ul>
 *
 * <p>A response already committed cannot be changed; the failure is then rethrown (the client sees a broken response,
 * not a wrong one).
 */
final class DatabaseOutageFilter extends OncePerRequestFilter {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseOutageFilter.class);

    private static final byte[] OAUTH_BODY = ("{\"error\":\"temporarily_unavailable\","
                    + "\"error_description\":\"Service temporarily unavailable; retry later.\"}")
            .getBytes(StandardCharsets.UTF_8);

    private static final UrlPathHelper PATHS = paths();

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException e) {
            if (!DatabaseUnavailable.causes(e) || response.isCommitted()) {
                throw e;
            }
            // The type only: an exception's message may name the host, the SQL or a value bound to it.
            LOG.warn("database unavailable: answered 503 ({})", e.getClass().getName());
            answer(request, response);
        }
    }

    private static void answer(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.resetBuffer();
        response.setHeader("Retry-After", Integer.toString(DatabaseUnavailable.RETRY_AFTER_SECONDS));
        response.setHeader("Cache-Control", "no-store");
        if (calledByClients(PATHS.getPathWithinApplication(request))) {
            response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            response.setContentType("application/json");
            response.setContentLength(OAUTH_BODY.length);
            response.getOutputStream().write(OAUTH_BODY);
            return;
        }
        response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
    }

    /** The endpoints whose callers are OAuth clients expecting RFC 6749 §5.2 error JSON, not browsers. */
    static boolean calledByClients(String path) {
        return switch (path) {
            case "/oauth2/token",
                    "/oauth2/introspect",
                    "/oauth2/revoke",
                    "/oauth2/device_authorization",
                    "/oauth2/par",
                    "/oauth2/jwks",
                    "/userinfo",
                    "/connect/register" -> true;
            default -> false;
        };
    }

    private static UrlPathHelper paths() {
        // As ratelimit.EndpointGroup and Spring Authorization Server's matchers see the path: decoded, normalised.
        UrlPathHelper helper = new UrlPathHelper();
        helper.setUrlDecode(true);
        helper.setRemoveSemicolonContent(true);
        return helper;
    }
}
