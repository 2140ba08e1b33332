package dev.gatehouse.server.admin;

import dev.gatehouse.core.policy.Decision;
import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditLog;
import dev.gatehouse.spring.autoconfigure.BearerChallenge;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.resource.BearerTokenError;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * The admin API's answers when a request is not authenticated or not permitted: {@code 401} with {@code
 * WWW-Authenticate: Bearer} (RFC 6750 §3: no error code when no token was sent, {@code invalid_token} otherwise) and
 * {@code 403} with {@code insufficient_scope} (RFC 6750 §3.1), each with an RFC 9457 problem body. Both are audited
 * as {@code admin.denied}. The token itself never appears in a response or in the audit.
 */
final class AdminSecurityResponses implements AuthenticationEntryPoint, AccessDeniedHandler {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final AuditLog audit;
    private final String adminScope;

    AdminSecurityResponses(AuditLog audit, String adminScope) {
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
        this.adminScope = Objects.requireNonNull(adminScope, "adminScope must not be null");
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        boolean tokenSent =
                authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, "Bearer ".length());
        String description = "The access token is missing, malformed, expired, revoked or not issued by this server.";
        if (e instanceof OAuth2AuthenticationException oauth && oauth.getError() instanceof BearerTokenError bearer) {
            tokenSent = true;
            if (bearer.getDescription() != null) {
                description = headerSafe(bearer.getDescription());
            }
        }
        // RFC 6750 §3.1: no error information when the request had no credentials.
        response.setHeader(
                HttpHeaders.WWW_AUTHENTICATE,
                BearerChallenge.of(
                        tokenSent ? new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, description, null) : null,
                        null,
                        null));
        record(request, null, tokenSent ? "invalid_token" : "no_token", null);
        write(
                request,
                response,
                401,
                "Unauthorized",
                tokenSent ? description : "A Bearer access token of this server is required.",
                tokenSent ? "admin.invalid_token" : "admin.unauthenticated");
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        Object decision = request.getAttribute(AdminAuthorizationManager.DECISION_ATTRIBUTE);
        String reason = decision instanceof Decision d ? d.reason() : "access denied";
        String actor = SecurityContextHolder.getContext().getAuthentication() == null
                ? null
                : SecurityContextHolder.getContext().getAuthentication().getName();
        response.setHeader(
                HttpHeaders.WWW_AUTHENTICATE,
                BearerChallenge.of(
                        new OAuth2Error(
                                OAuth2ErrorCodes.INSUFFICIENT_SCOPE,
                                "The token does not permit this admin action.",
                                null),
                        adminScope,
                        null));
        record(request, actor, "insufficient_scope", reason);
        write(
                request,
                response,
                403,
                "Forbidden",
                "This token may not do this. The admin API needs a token with scope '" + adminScope
                        + "' of a user holding a role that grants the action (admin), or of a client granted"
                        + " that scope (client credentials).",
                "admin.forbidden");
    }

    private void record(HttpServletRequest request, @Nullable String actor, String error, @Nullable String reason) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("method", request.getMethod());
        details.put("path", cut(request.getRequestURI()));
        details.put("error", error);
        if (reason != null) {
            details.put("reason", cut(reason));
        }
        String[] target = AdminAuthorizationManager.target(request);
        audit.record(new AuditEvent(
                "admin.denied", AuditEvent.DENIED, actor, target[1].isEmpty() ? target[0] : cut(target[1]), details));
    }

    private static void write(
            HttpServletRequest request,
            HttpServletResponse response,
            int status,
            String title,
            String detail,
            String code)
            throws IOException {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", AdminExceptionHandler.TYPE_PREFIX + code);
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        problem.put("instance", request.getRequestURI());
        problem.put("code", code);
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        response.getOutputStream().write(JSON.writeValueAsBytes(problem));
    }

    /** A quoted-string for a header: printable ASCII without quotes or backslashes, bounded. */
    private static String headerSafe(String s) {
        String clean = s.replaceAll("[^\\x20-\\x7E]|[\"\\\\]", "?");
        return clean.length() > 200 ? clean.substring(0, 200) : clean;
    }

    /** Identifiers for the audit, bounded and without control characters (no forged log lines). */
    static String cut(String s) {
        String clean = s.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 200 ? clean.substring(0, 200) + "..." : clean;
    }
}
