package dev.gatehouse.core.policy;

import java.util.Map;
import java.util.Objects;

/**
 * What is acted on: a type ({@code document}), an optional identifier and attributes. Immutable.
 *
 * @param type the resource type, matched by RBAC permissions ({@code document:read}) and ABAC targets
 * @param id the resource identifier, empty when the request is about the type as a whole
 * @param attributes attributes (owner, classification, ...) in the {@link Attributes} value space
 */
public record Resource(String type, String id, Map<String, Object> attributes) {

    /** Checks and copies values. */
    public Resource {
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(id, "id must not be null");
        if (type.isBlank()) {
            throw new PolicyException(PolicyException.Reason.INVALID_REQUEST, "resource type must not be blank");
        }
        attributes = Attributes.copy(Objects.requireNonNull(attributes, "attributes must not be null"));
    }

    /**
     * A resource without attributes.
     *
     * @param type the type
     * @param id the identifier
     * @return the resource
     */
    public static Resource of(String type, String id) {
        return new Resource(type, id, Map.of());
    }
}
