package dev.gatehouse.server.admin;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditLog;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Records one audit event per call of an {@link Audited} admin handler, after the response is decided: outcome
 * {@code success} below 400, {@code failure} otherwise (with the problem code), actor = the token's subject, subject
 * = the target (set by the handler, or the URI variable the annotation names). Handlers and the exception handler put
 * only identifiers and codes into the event, never a password, secret, hash or token.
 */
final class AdminAuditInterceptor implements HandlerInterceptor {

    /** Request attribute: the target id, when it comes from the body (creation). */
    static final String SUBJECT = AdminAuditInterceptor.class.getName() + ".subject";
    /** Request attribute: a {@code Map<String, String>} of further details. */
    static final String DETAILS = AdminAuditInterceptor.class.getName() + ".details";
    /** Request attribute: the problem code of a failed call. */
    static final String PROBLEM = AdminAuditInterceptor.class.getName() + ".problem";

    private final AuditLog audit;

    AdminAuditInterceptor(AuditLog audit) {
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
    }

    /** Adds a detail to the audit event of this request. */
    @SuppressWarnings("unchecked")
    static void detail(HttpServletRequest request, String key, String value) {
        Object existing = request.getAttribute(DETAILS);
        Map<String, String> details;
        if (existing instanceof Map<?, ?> m) {
            details = (Map<String, String>) m;
        } else {
            details = new LinkedHashMap<>();
            request.setAttribute(DETAILS, details);
        }
        details.put(key, AdminSecurityResponses.cut(value));
    }

    @Override
    public void afterCompletion(
            HttpServletRequest request, HttpServletResponse response, Object handler, @Nullable Exception ex) {
        if (!(handler instanceof HandlerMethod method)) {
            return;
        }
        Audited audited = method.getMethodAnnotation(Audited.class);
        if (audited == null) {
            return;
        }
        int status = response.getStatus();
        boolean success = ex == null && status < 400;
        Map<String, String> details = new LinkedHashMap<>();
        if (request.getAttribute(DETAILS) instanceof Map<?, ?> m) {
            m.forEach((k, v) -> details.put(String.valueOf(k), String.valueOf(v)));
        }
        details.put("status", Integer.toString(ex != null && status < 400 ? 500 : status));
        if (!success && request.getAttribute(PROBLEM) instanceof String code) {
            details.put("problem", code);
        }
        Authentication caller = SecurityContextHolder.getContext().getAuthentication();
        audit.record(new AuditEvent(
                audited.value(),
                success ? AuditEvent.SUCCESS : AuditEvent.FAILURE,
                caller == null ? null : caller.getName(),
                subject(request, audited),
                details));
    }

    private static @Nullable String subject(HttpServletRequest request, Audited audited) {
        if (request.getAttribute(SUBJECT) instanceof String s) {
            return AdminSecurityResponses.cut(s);
        }
        if (!audited.subject().isEmpty()
                && request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE) instanceof Map<?, ?> vars
                && vars.get(audited.subject()) instanceof String s) {
            return AdminSecurityResponses.cut(s);
        }
        return null;
    }
}
