package dev.gatehouse.server.admin;

import dev.gatehouse.core.policy.Decision;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.web.util.UrlPathHelper;

/**
 * The enforcement point of the admin API: maps each request to a resource type and action and asks {@link
 * AdminPolicy}. Only a permit lets the request through; the decision is left on the request for the audit of a
 * denial.
 */
final class AdminAuthorizationManager implements AuthorizationManager<RequestAuthorizationContext> {

    /** Request attribute holding the {@link Decision} of a denied request. */
    static final String DECISION_ATTRIBUTE = AdminAuthorizationManager.class.getName() + ".decision";

    private final AdminPolicy policy;

    AdminAuthorizationManager(AdminPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy must not be null");
    }

    @Override
    public AuthorizationResult authorize(
            Supplier<? extends Authentication> authentication, RequestAuthorizationContext context) {
        if (!(authentication.get() instanceof AdminAuthentication caller)) {
            return new AuthorizationDecision(false); // anonymous: the entry point answers 401
        }
        HttpServletRequest request = context.getRequest();
        String[] target = target(request);
        Decision decision = policy.decide(caller, target[0], target[1], action(request.getMethod()));
        if (!decision.permitted()) {
            request.setAttribute(DECISION_ATTRIBUTE, decision);
        }
        return new AuthorizationDecision(decision.permitted());
    }

    /** GET and HEAD read; every other method changes something. */
    static String action(String method) {
        String m = method.toUpperCase(Locale.ROOT);
        return m.equals("GET") || m.equals("HEAD") ? "read" : "write";
    }

    /** {@code [resourceType, resourceId]} of an admin path. */
    static String[] target(HttpServletRequest request) {
        String path = UrlPathHelper.defaultInstance.getPathWithinApplication(request);
        String[] s = path.replaceAll("^/+", "").split("/+");
        // s[0] is "admin"
        String collection = s.length > 1 ? s[1] : "";
        String id = s.length > 2 ? s[2] : "";
        return switch (collection) {
            case "users" -> {
                if (s.length > 3 && s[3].equals("sessions")) {
                    yield new String[] {"session", id};
                }
                if (s.length > 3 && s[3].equals("roles")) {
                    yield new String[] {"role", id};
                }
                yield new String[] {"user", id};
            }
            case "roles" -> new String[] {"role", id};
            case "clients" -> new String[] {"client", id};
            // Initial access tokens (RFC 7591 §3) let their holders register clients: client administration.
            case "initial-access-tokens" -> new String[] {"client", ""};
            case "keys" -> new String[] {"key", id};
            default -> new String[] {"admin", ""};
        };
    }
}
