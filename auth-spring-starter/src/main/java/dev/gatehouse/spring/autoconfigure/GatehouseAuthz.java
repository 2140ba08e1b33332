package dev.gatehouse.spring.autoconfigure;

import dev.gatehouse.core.policy.AccessRequest;
import dev.gatehouse.core.policy.Decision;
import dev.gatehouse.core.policy.PolicyDecisionPoint;
import dev.gatehouse.core.policy.Resource;
import dev.gatehouse.core.policy.Subject;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

/**
 * Policy checks from Spring Security, registered as the bean {@code authz}:
 *
 * <pre>{@code
 * @PreAuthorize("@authz.permits('document:read', #doc)")
 * http.authorizeHttpRequests(a -> a.requestMatchers("/reports/**").access(authz.request("report:read")));
 * }</pre>
 *
 * <p>The permission {@code type:action} names the resource type and the action. The subject is the current
 * authentication: its name, its {@code ROLE_} authorities as roles, and (for bearer tokens) the token's claims
 * as attributes, with {@code tenant} taken from a {@code tenant} claim. A resource argument may be a {@link
 * Resource}, a {@code Map} of attributes (with {@code id}), or any object (its string form is the id). Anything
 * but a permit — no authentication, an error, a timeout — is a deny. Conditions see the context attributes
 * {@code time}, {@code hour} and {@code weekday} (UTC), from the application's {@code Clock} bean if it has one.
 */
public final class GatehouseAuthz {

    private static final boolean JWT_PRESENT = org.springframework.util.ClassUtils.isPresent(
            "org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken",
            GatehouseAuthz.class.getClassLoader());

    /** Loaded only when the resource-server library is present. */
    private static final class JwtClaims {
        static Map<String, Object> of(Authentication authentication) {
            return authentication instanceof JwtAuthenticationToken jwt ? jwt.getTokenAttributes() : Map.of();
        }
    }

    private final PolicyDecisionPoint pdp;
    private final Clock clock;

    /**
     * Checks against the given decision point.
     *
     * @param pdp the policy decision point
     * @param clock the clock for the {@code time} context attribute
     */
    public GatehouseAuthz(PolicyDecisionPoint pdp, Clock clock) {
        this.pdp = Objects.requireNonNull(pdp, "pdp must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /**
     * Whether the current user may perform {@code permission} ({@code type:action}) on resources of that type.
     *
     * @param permission e.g. {@code report:read}
     * @return {@code true} only on a permit
     */
    public boolean permits(String permission) {
        return permits(permission, null);
    }

    /**
     * Whether the current user may perform {@code permission} on {@code resource}.
     *
     * @param permission {@code type:action}, e.g. {@code document:read}
     * @param resource the resource, a map of its attributes, or its id
     * @return {@code true} only on a permit
     */
    public boolean permits(String permission, @Nullable Object resource) {
        return decide(SecurityContextHolder.getContext().getAuthentication(), permission, resource)
                instanceof Decision.Permit;
    }

    /**
     * The full decision for the current user, with its reason, for callers that explain a refusal.
     *
     * @param permission {@code type:action}
     * @param resource the resource, a map of its attributes, or its id
     * @return the decision
     */
    public Decision decide(String permission, @Nullable Object resource) {
        return decide(SecurityContextHolder.getContext().getAuthentication(), permission, resource);
    }

    /**
     * An {@link AuthorizationManager} for HTTP rules checking {@code permission} on the request path.
     *
     * @param permission {@code type:action}
     * @return the manager; the resource id is the request URI
     */
    public AuthorizationManager<RequestAuthorizationContext> request(String permission) {
        return (authentication, context) -> {
            Map<String, Object> attributes = new LinkedHashMap<>(context.getVariables());
            attributes.put("method", context.getRequest().getMethod());
            Resource resource =
                    new Resource(type(permission), context.getRequest().getRequestURI(), attributes);
            return authorize(authentication, permission, resource);
        };
    }

    private AuthorizationResult authorize(
            Supplier<? extends @Nullable Authentication> authentication, String permission, Resource resource) {
        Decision decision = decide(authentication.get(), permission, resource);
        return new AuthorizationDecision(decision instanceof Decision.Permit);
    }

    Decision decide(@Nullable Authentication authentication, String permission, @Nullable Object resource) {
        String type = type(permission);
        String action = permission.substring(type.length() + 1);
        if (authentication == null || !authentication.isAuthenticated()) {
            return pdp.unauthenticated();
        }
        // Claims, roles and the resource come from outside input: the decision point fails closed if they cannot
        // make a request.
        return pdp.decide(() -> request(authentication, type, action, resource));
    }

    private AccessRequest request(
            Authentication authentication, String type, String action, @Nullable Object resource) {
        // The resource-server library is optional: only the guarded holder class names its types.
        Map<String, Object> claims = JWT_PRESENT ? JwtClaims.of(authentication) : Map.of();
        Set<String> roles = new LinkedHashSet<>();
        for (GrantedAuthority a : authentication.getAuthorities()) {
            String name = a.getAuthority();
            if (name != null && name.startsWith("ROLE_")) {
                roles.add(name.substring(5));
            }
        }
        Map<String, Object> subjectAttributes = new LinkedHashMap<>();
        claims.forEach((k, v) -> {
            if (v instanceof String
                    || v instanceof Number
                    || v instanceof Boolean
                    || v instanceof java.util.Collection<?>) {
                subjectAttributes.put(k, v);
            }
        });
        AccessRequest.Builder request = AccessRequest.builder()
                .subject(new Subject(authentication.getName(), roles, subjectAttributes))
                .action(action)
                .resource(resource(type, resource))
                .context(context());
        if (claims.get("tenant") instanceof String tenant) {
            request.tenant(tenant);
        }
        return request.build();
    }

    /** Environment attributes for conditions: {@code time} (ISO-8601), {@code hour} and {@code weekday} (UTC). */
    private Map<String, Object> context() {
        java.time.ZonedDateTime now = clock.instant().atZone(java.time.ZoneOffset.UTC);
        return Map.of(
                "time", now.toInstant().toString(),
                "hour", now.getHour(),
                "weekday", now.getDayOfWeek().name().toLowerCase(java.util.Locale.ROOT));
    }

    private static Resource resource(String type, @Nullable Object resource) {
        if (resource instanceof Resource r) {
            return r;
        }
        if (resource instanceof Map<?, ?> map) {
            Map<String, Object> attributes = new LinkedHashMap<>();
            map.forEach((k, v) -> attributes.put(String.valueOf(k), v));
            Object id = attributes.getOrDefault("id", "*");
            return new Resource(type, String.valueOf(id), attributes);
        }
        return new Resource(type, resource == null ? "*" : String.valueOf(resource), Map.of());
    }

    private static String type(String permission) {
        int colon = Objects.requireNonNull(permission, "permission must not be null")
                .indexOf(':');
        if (colon <= 0 || colon == permission.length() - 1) {
            throw new IllegalArgumentException("permission must look like type:action, e.g. document:read");
        }
        return permission.substring(0, colon);
    }
}
