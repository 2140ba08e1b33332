package dev.gatehouse.core.policy;

import dev.gatehouse.core.GatehouseException;
import java.util.Locale;
import java.util.Objects;

/**
 * Thrown when a policy cannot be loaded or built: a malformed file, a role cycle, a CEL condition that does
 * not compile, an OPA bundle without its entrypoint. Never thrown for a request that is merely refused or
 * whose evaluation fails: those are a {@link Decision.Deny} with a reason (fail closed).
 */
public final class PolicyException extends GatehouseException {

    private static final long serialVersionUID = 1L;

    /** Why the operation failed. */
    public enum Reason {
        /** A policy document or model is malformed or inconsistent (unknown role, bad permission). */
        INVALID_POLICY,
        /** Role inheritance contains a cycle; the message names it. */
        ROLE_CYCLE,
        /** A CEL condition failed to parse or type-check; the message names policy, rule and position. */
        INVALID_CONDITION,
        /** An access request is malformed (missing subject, action or resource type). */
        INVALID_REQUEST,
        /** A policy source (file, bundle, OPA server) could not be read at load time. */
        UNAVAILABLE,
        /** A library this needs is not on the classpath (auth-core declares it optional); the message names it. */
        LIBRARY_MISSING;

        /**
         * The machine-readable code of this reason, e.g. {@code policy.invalid_policy}.
         *
         * @return the code
         */
        public String code() {
            return "policy." + name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    /**
     * A new exception.
     *
     * @param reason why
     * @param message what was wrong and how to fix it; never a secret
     */
    public PolicyException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason must not be null");
    }

    /**
     * A new exception with a cause.
     *
     * @param reason why
     * @param message what was wrong and how to fix it; never a secret
     * @param cause the underlying failure
     */
    public PolicyException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason must not be null");
    }

    /**
     * Why the operation failed.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }

    @Override
    public String code() {
        return reason.code();
    }
}
