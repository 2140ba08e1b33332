package dev.gatehouse.server.account;

import dev.gatehouse.server.audit.AuditEvent;
import dev.gatehouse.server.audit.AuditLog;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Records the account events: the user is actor and subject, the client address is always a detail; never a secret. */
final class AccountAudit {

    private final AuditLog audit;

    AccountAudit(AuditLog audit) {
        this.audit = Objects.requireNonNull(audit, "audit must not be null");
    }

    void success(String type, String user, HttpServletRequest request, String... details) {
        record(type, AuditEvent.SUCCESS, user, request, details);
    }

    void failure(String type, String user, HttpServletRequest request, String... details) {
        record(type, AuditEvent.FAILURE, user, request, details);
    }

    void denied(String type, String user, HttpServletRequest request, String... details) {
        record(type, AuditEvent.DENIED, user, request, details);
    }

    private void record(String type, String outcome, String user, HttpServletRequest request, String... details) {
        if (details.length % 2 != 0) {
            throw new IllegalArgumentException("details must be name, value pairs");
        }
        Map<String, String> map = new LinkedHashMap<>();
        map.put("address", address(request));
        for (int i = 0; i < details.length; i += 2) {
            map.put(details[i], details[i + 1]);
        }
        audit.record(new AuditEvent(type, outcome, user, user, map));
    }

    static String address(HttpServletRequest request) {
        String address = request.getRemoteAddr();
        return address == null ? "unknown" : address;
    }
}
