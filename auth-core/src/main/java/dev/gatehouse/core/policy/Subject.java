package dev.gatehouse.core.policy;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who asks: an identifier, the roles the caller already established (e.g. from a token's claims) and
 * attributes. Immutable; roles and attributes are copied.
 *
 * @param id the subject identifier, e.g. the {@code sub} claim (RFC 7519 §4.1.2)
 * @param roles roles held, in addition to any an RBAC model assigns to {@code id}
 * @param attributes further attributes (department, clearance, ...) in the {@link Attributes} value space
 */
public record Subject(String id, Set<String> roles, Map<String, Object> attributes) {

    /** Checks and copies values. */
    public Subject {
        Objects.requireNonNull(id, "id must not be null");
        if (id.isBlank()) {
            throw new PolicyException(PolicyException.Reason.INVALID_REQUEST, "subject id must not be blank");
        }
        roles = Set.copyOf(Objects.requireNonNull(roles, "roles must not be null"));
        attributes = Attributes.copy(Objects.requireNonNull(attributes, "attributes must not be null"));
    }

    /**
     * A subject with roles and no attributes.
     *
     * @param id the identifier
     * @param roles the roles
     * @return the subject
     */
    public static Subject of(String id, String... roles) {
        return new Subject(id, Set.of(roles), Map.of());
    }
}
