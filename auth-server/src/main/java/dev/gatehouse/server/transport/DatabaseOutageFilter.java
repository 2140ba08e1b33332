package dev.gatehouse.server.transport;

import dev.gatehouse.core.password.PasswordException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;
import org.thymeleaf.ITemplateEngine;
import org.thymeleaf.context.Context;

/**
 * Answers a request that failed because the database is unavailable ({@link DatabaseUnavailable}) with {@code 503
 * Service Unavailable}, {@code Retry-After} (RFC 9110 §10.2.3) and {@code Cache-Control: no-store}, wherever the
 * failure was thrown: in Spring Security's filters and providers (client authentication, the token, introspection and
 * UserInfo endpoints, {@code JdbcOAuth2AuthorizationService}), in a controller, or when a shared session is loaded or
 * saved. It is registered before Spring Session and Spring Security, so it sees what they let through; anything else
 * is rethrown unchanged (a bug stays a {@code 500}).
 *
 * <p>The answer is written here, not by the container's error dispatch: that dispatch runs Spring Session and Spring
 * Security again, which would wait for the database once more and then fail. The body never carries the exception,
 * SQL or host names:
 *
 * <ul>
 *   <li>the OAuth endpoints called by clients (token, introspection, revocation, device authorization, PAR, JWKS,
 *       UserInfo, registration): an RFC 6749 §5.2-shaped JSON body with {@code temporarily_unavailable} (the code
 *       RFC 6749 §4.1.2.1 defines for this case), which OAuth clients already parse;
 *   <li>the admin API, and any client that does not ask for HTML: an RFC 9457 problem document;
 *   <li>browsers, the authorization endpoint included: Gatehouse's error page ({@code templates/outage.html}), never
 *       an error redirect. RFC 6749 §4.1.2.1 allows a redirect only to a redirect URI validated against the client's
 *       registration, and that registration is in the database that is down (a cached copy may be stale: a removed
 *       redirect URI must not be used).
 * </ul>
 *
 * <p>A response already committed cannot be changed; the failure is then rethrown (the client sees a broken response,
 * not a wrong one).
 *
 * <p>The same answer, with {@code Retry-After: }{@value #BUSY_RETRY_AFTER_SECONDS}, goes to a request refused because
 * every password-hashing slot stayed taken for the hasher's whole wait (auth-core's {@code HashingGate}, {@link
 * PasswordException.Reason#BUSY}): a burst of sign-ins beyond the configured bound on Argon2 computations (each holds
 * its memory cost, 19 MiB by default) is refused quickly with {@code 503} (RFC 9110 §15.6.4) rather than queued
 * without end or answered {@code 500}; the password was not checked, so nothing is counted against the account.
 */
final class DatabaseOutageFilter extends OncePerRequestFilter {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseOutageFilter.class);

    /** The page's and the problem's sentence: fixed, nothing from the request or the failure. */
    static final String MESSAGE = "The service is temporarily unavailable. Try again in a few seconds.";

    /**
     * {@code Retry-After} in seconds for a full hashing gate: a burst drains in about a hash time per slot, so a
     * second spreads the retries without keeping a user waiting long.
     */
    static final int BUSY_RETRY_AFTER_SECONDS = 1;

    private static final int MAX_DEPTH = 32;

    private static final byte[] OAUTH_BODY = ("{\"error\":\"temporarily_unavailable\","
                    + "\"error_description\":\"Service temporarily unavailable; retry later.\"}")
            .getBytes(StandardCharsets.UTF_8);

    private static final byte[] PROBLEM_BODY = ("{\"type\":\"about:blank\",\"title\":\"Service Unavailable\","
                    + "\"status\":503,\"detail\":\"" + MESSAGE + "\",\"instance\":\"/error\"}")
            .getBytes(StandardCharsets.UTF_8);

    private static final UrlPathHelper PATHS = paths();

    private final ITemplateEngine templates;
    private volatile byte @Nullable [] page;

    /**
     * Creates the filter.
     *
     * @param templates renders the error page (once, on first use: it is the same for every request)
     */
    DatabaseOutageFilter(ITemplateEngine templates) {
        this.templates = Objects.requireNonNull(templates, "templates must not be null");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException e) {
            if (response.isCommitted()) {
                throw e;
            }
            if (hashingBusy(e)) {
                // Debug only: a burst produces one per refused request; the hasher's metrics show the load.
                LOG.debug("password hashing slots busy: answered 503");
                answer(request, response, BUSY_RETRY_AFTER_SECONDS);
                return;
            }
            if (!DatabaseUnavailable.causes(e)) {
                throw e;
            }
            // The type only: an exception's message may name the host, the SQL or a value bound to it.
            LOG.warn("database unavailable: answered 503 ({})", e.getClass().getName());
            answer(request, response, DatabaseUnavailable.RETRY_AFTER_SECONDS);
        }
    }

    /**
     * Answers a request refused before it could check a password (the node's admission bound,
     * {@link PasswordAdmissionFilter}) as a full hashing gate is answered: {@code 503}, {@code Retry-After: }{@value
     * #BUSY_RETRY_AFTER_SECONDS}, the same page or body.
     */
    void refuseBusy(HttpServletRequest request, HttpServletResponse response) throws IOException {
        answer(request, response, BUSY_RETRY_AFTER_SECONDS);
    }

    /** Whether {@code failure} or a cause of it is a full hashing gate ({@link PasswordException.Reason#BUSY}). */
    static boolean hashingBusy(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_DEPTH; depth++, t = t.getCause()) {
            if (t instanceof PasswordException p && p.reason() == PasswordException.Reason.BUSY) {
                return true;
            }
            if (t.getCause() == t) {
                return false;
            }
        }
        return false;
    }

    private void answer(HttpServletRequest request, HttpServletResponse response, int retryAfterSeconds)
            throws IOException {
        response.resetBuffer();
        response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        response.setHeader("Retry-After", Integer.toString(retryAfterSeconds));
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Content-Type-Options", "nosniff");
        String path = PATHS.getPathWithinApplication(request);
        if (calledByClients(path)) {
            write(response, "application/json", OAUTH_BODY);
        } else if (path.startsWith("/admin") || !acceptsHtml(request)) {
            write(response, "application/problem+json", PROBLEM_BODY);
        } else {
            // A fixed page without scripts, styles or frames: nothing to allow.
            response.setHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
            write(response, "text/html;charset=UTF-8", page());
        }
    }

    private byte[] page() {
        byte[] rendered = page;
        if (rendered == null) {
            Context context = new Context(Locale.ROOT);
            context.setVariable("status", HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            context.setVariable("title", "Service Unavailable");
            context.setVariable("message", MESSAGE);
            rendered = templates.process("outage", context).getBytes(StandardCharsets.UTF_8);
            page = rendered;
        }
        return rendered;
    }

    private static void write(HttpServletResponse response, String contentType, byte[] body) throws IOException {
        response.setContentType(contentType);
        response.setContentLength(body.length);
        try {
            response.getOutputStream().write(body);
        } catch (IllegalStateException writerInUse) {
            // A page failed while rendering (its writer is taken; resetBuffer emptied it): the same bytes through it.
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.getWriter().write(new String(body, StandardCharsets.UTF_8));
        }
    }

    private static boolean acceptsHtml(HttpServletRequest request) {
        String accept = request.getHeader("Accept");
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/html");
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
