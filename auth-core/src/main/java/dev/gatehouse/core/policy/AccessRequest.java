package dev.gatehouse.core.policy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * "May this subject do this action on this resource?" Immutable and deeply compared, so the whole request
 * is a safe cache key ({@link CachingPolicyEngine}). The tenant, if any, scopes RBAC role assignments and
 * is visible to every engine.
 *
 * <pre>{@code
 * AccessRequest r = AccessRequest.builder()
 *         .subject(Subject.of("alice", "editor"))
 *         .action("write")
 *         .resource(Resource.of("document", "d-42"))
 *         .tenant("acme")
 *         .context(Map.of("clientAddress", "203.0.113.7"))
 *         .build();
 * }</pre>
 *
 * @param subject who asks
 * @param action what they want to do, e.g. {@code read}
 * @param resource what on
 * @param tenant the tenant, or {@code null} for none
 * @param context environment (time, client address, anything else) in the {@link Attributes} value space
 */
public record AccessRequest(
        Subject subject,
        String action,
        Resource resource,
        @Nullable String tenant,
        Map<String, Object> context) {

    /** Checks and copies values. */
    public AccessRequest {
        Objects.requireNonNull(subject, "subject must not be null");
        Objects.requireNonNull(action, "action must not be null");
        Objects.requireNonNull(resource, "resource must not be null");
        if (action.isBlank()) {
            throw new PolicyException(PolicyException.Reason.INVALID_REQUEST, "action must not be blank");
        }
        if (tenant != null && tenant.isBlank()) {
            throw new PolicyException(PolicyException.Reason.INVALID_REQUEST, "tenant must be null or not blank");
        }
        context = Attributes.copy(Objects.requireNonNull(context, "context must not be null"));
    }

    /**
     * A new builder.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The tenant, if any.
     *
     * @return the tenant
     */
    public Optional<String> tenantIfAny() {
        return Optional.ofNullable(tenant);
    }

    /**
     * This request as a JSON-shaped map, the {@code input} document sent to OPA and the variables seen by
     * CEL: {@code {subject: {id, roles, attributes}, action, resource: {type, id, attributes}, tenant?,
     * context}}. Roles are sorted so the same request always gives the same document.
     *
     * @return an unmodifiable map
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(
                "subject",
                Map.of("id", subject.id(), "roles", sorted(subject.roles()), "attributes", subject.attributes()));
        m.put("action", action);
        m.put("resource", Map.of("type", resource.type(), "id", resource.id(), "attributes", resource.attributes()));
        if (tenant != null) {
            m.put("tenant", tenant);
        }
        m.put("context", context);
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * Reads a request from the map {@link #toMap()} produces (e.g. a parsed JSON or YAML file).
     *
     * @param map the map
     * @return the request
     * @throws PolicyException ({@code policy.invalid_request}) if a required part is missing or mistyped
     */
    public static AccessRequest fromMap(Map<String, ?> map) {
        Map<String, ?> s = map(map.get("subject"), "subject");
        Map<String, ?> r = map(map.get("resource"), "resource");
        Object rolesValue = s.get("roles");
        List<?> roles = rolesValue == null ? List.of() : list(rolesValue, "subject.roles");
        Set<String> roleSet = new java.util.HashSet<>();
        for (Object o : roles) {
            roleSet.add(string(o, "subject.roles[]"));
        }
        Object tenant = map.get("tenant");
        return new AccessRequest(
                new Subject(
                        string(s.get("id"), "subject.id"),
                        roleSet,
                        mapOrEmpty(s.get("attributes"), "subject.attributes")),
                string(map.get("action"), "action"),
                new Resource(
                        string(r.get("type"), "resource.type"),
                        r.get("id") == null ? "" : string(r.get("id"), "resource.id"),
                        mapOrEmpty(r.get("attributes"), "resource.attributes")),
                tenant == null ? null : string(tenant, "tenant"),
                mapOrEmpty(map.get("context"), "context"));
    }

    private static List<String> sorted(Set<String> roles) {
        return roles.stream().sorted().toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> map(@Nullable Object o, String what) {
        if (o instanceof Map<?, ?> m) {
            return (Map<String, ?>) m;
        }
        throw new PolicyException(PolicyException.Reason.INVALID_REQUEST, what + " must be an object");
    }

    private static Map<String, Object> mapOrEmpty(@Nullable Object o, String what) {
        return o == null ? Map.of() : Attributes.copy(map(o, what));
    }

    private static List<?> list(Object o, String what) {
        if (o instanceof List<?> l) {
            return l;
        }
        throw new PolicyException(PolicyException.Reason.INVALID_REQUEST, what + " must be a list");
    }

    private static String string(@Nullable Object o, String what) {
        if (o instanceof String s) {
            return s;
        }
        throw new PolicyException(PolicyException.Reason.INVALID_REQUEST, what + " must be a string");
    }

    /** Builds an {@link AccessRequest}. Not thread-safe. */
    public static final class Builder {
        private @Nullable Subject subject;
        private @Nullable String action;
        private @Nullable Resource resource;
        private @Nullable String tenant;
        private Map<String, Object> context = Map.of();

        private Builder() {}

        /**
         * Who asks.
         *
         * @param subject the subject
         * @return this builder
         */
        public Builder subject(Subject subject) {
            this.subject = Objects.requireNonNull(subject, "subject must not be null");
            return this;
        }

        /**
         * The action.
         *
         * @param action e.g. {@code read}
         * @return this builder
         */
        public Builder action(String action) {
            this.action = Objects.requireNonNull(action, "action must not be null");
            return this;
        }

        /**
         * The resource.
         *
         * @param resource the resource
         * @return this builder
         */
        public Builder resource(Resource resource) {
            this.resource = Objects.requireNonNull(resource, "resource must not be null");
            return this;
        }

        /**
         * The tenant; default none.
         *
         * @param tenant the tenant, or {@code null}
         * @return this builder
         */
        public Builder tenant(@Nullable String tenant) {
            this.tenant = tenant;
            return this;
        }

        /**
         * The environment; default empty.
         *
         * @param context the context attributes
         * @return this builder
         */
        public Builder context(Map<String, ?> context) {
            this.context = Attributes.copy(context);
            return this;
        }

        /**
         * Builds the request.
         *
         * @return the request
         * @throws PolicyException ({@code policy.invalid_request}) if subject, action or resource is missing
         */
        public AccessRequest build() {
            if (subject == null || action == null || resource == null) {
                throw new PolicyException(
                        PolicyException.Reason.INVALID_REQUEST, "subject, action and resource are required");
            }
            return new AccessRequest(subject, action, resource, tenant, context);
        }
    }
}
