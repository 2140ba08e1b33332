package dev.gatehouse.core.policy.rbac;

import dev.gatehouse.core.policy.PolicyException;
import java.util.Objects;

/**
 * A permission {@code resource:action}; either part may be {@code *} (any). Resource types and actions are
 * compared exactly (case-sensitive), as identifiers.
 *
 * @param resource the resource type, or {@code *}
 * @param action the action, or {@code *}
 */
public record Permission(String resource, String action) {

    /** The wildcard. */
    public static final String ANY = "*";

    /** Checks values. */
    public Permission {
        check(resource, "resource");
        check(action, "action");
    }

    /**
     * Parses {@code resource:action}, e.g. {@code document:read}, {@code document:*}, {@code *:*}.
     *
     * @param text the permission
     * @return the permission
     * @throws PolicyException ({@code policy.invalid_policy}) if malformed
     */
    public static Permission parse(String text) {
        Objects.requireNonNull(text, "text must not be null");
        int colon = text.indexOf(':');
        if (colon <= 0 || colon != text.lastIndexOf(':') || colon == text.length() - 1) {
            throw new PolicyException(
                    PolicyException.Reason.INVALID_POLICY,
                    "permission '" + text + "' must be resource:action, e.g. document:read or document:*");
        }
        return new Permission(text.substring(0, colon), text.substring(colon + 1));
    }

    /**
     * Whether this permission covers an action on a resource type.
     *
     * @param resourceType the resource type
     * @param requestedAction the action
     * @return whether it matches
     */
    public boolean matches(String resourceType, String requestedAction) {
        return (resource.equals(ANY) || resource.equals(resourceType))
                && (action.equals(ANY) || action.equals(requestedAction));
    }

    private static void check(String part, String what) {
        Objects.requireNonNull(part, what + " must not be null");
        if (part.isBlank() || part.indexOf(':') >= 0 || (part.contains("*") && !part.equals(ANY))) {
            throw new PolicyException(
                    PolicyException.Reason.INVALID_POLICY,
                    "permission " + what + " '" + part + "' must be a name without ':' or exactly '*'");
        }
    }

    @Override
    public String toString() {
        return resource + ":" + action;
    }
}
