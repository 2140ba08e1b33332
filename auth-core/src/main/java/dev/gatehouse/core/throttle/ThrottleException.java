package dev.gatehouse.core.throttle;

import dev.gatehouse.core.GatehouseException;
import java.util.Locale;
import java.util.Objects;

/**
 * Thrown when an attempt limiter is misconfigured or called with unusable arguments. Being throttled is not
 * an exception: it is a {@link ThrottleDecision}.
 */
public final class ThrottleException extends GatehouseException {

    private static final long serialVersionUID = 1L;

    /** Why the operation failed. */
    public enum Reason {
        /** A policy value is out of range or inconsistent with another. */
        INVALID_POLICY,
        /** An account or address key is blank or too long. */
        INVALID_ARGUMENT;

        /**
         * The machine-readable code of this reason, e.g. {@code throttle.invalid_policy}.
         *
         * @return the code
         */
        public String code() {
            return "throttle." + name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    ThrottleException(Reason reason, String message) {
        super(message);
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
