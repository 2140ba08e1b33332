package dev.gatehouse.core.throttle;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Whether a credential check may run now and, if not, when it may ({@code Retry-After}, RFC 9110 §10.2.3).
 * Sealed: {@link Allowed} or {@link Denied}; a caller that does not recognise it must treat it as denied.
 */
public sealed interface ThrottleDecision permits ThrottleDecision.Allowed, ThrottleDecision.Denied {

    /**
     * Whether the attempt may proceed.
     *
     * @return {@code true} for {@link Allowed}
     */
    boolean allowed();

    /**
     * How long until the next attempt is allowed.
     *
     * @return zero when allowed
     */
    Duration retryAfter();

    /**
     * {@link #retryAfter()} rounded up to whole seconds, for a {@code Retry-After} header.
     *
     * @return seconds, 0 when allowed
     */
    default long retryAfterSeconds() {
        Duration d = retryAfter();
        return d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    }

    /** Which counter caused a denial. */
    enum Scope {
        /** Failures for this account from this address: delay, then a hard temporary lockout. */
        ACCOUNT_AND_ADDRESS,
        /** Failures for this account from anywhere: progressive delay only, never a lockout. */
        ACCOUNT,
        /** Failures from this address against any account: delay, then a temporary lockout. */
        ADDRESS
    }

    /** The attempt may proceed. */
    record Allowed() implements ThrottleDecision {

        static final Allowed INSTANCE = new Allowed();

        @Override
        public boolean allowed() {
            return true;
        }

        @Override
        public Duration retryAfter() {
            return Duration.ZERO;
        }
    }

    /**
     * The attempt must not run: do not check the credential, answer with {@code Retry-After}.
     *
     * @param retryAt when the next attempt is allowed
     * @param retryAfter how long from now that is
     * @param scope which counter denied (the latest {@code retryAt} wins when several do)
     * @param lockedOut whether this is a lockout rather than a progressive delay
     */
    record Denied(Instant retryAt, Duration retryAfter, Scope scope, boolean lockedOut) implements ThrottleDecision {

        /** Checks values. */
        public Denied {
            Objects.requireNonNull(retryAt, "retryAt must not be null");
            Objects.requireNonNull(retryAfter, "retryAfter must not be null");
            Objects.requireNonNull(scope, "scope must not be null");
            if (retryAfter.isNegative() || retryAfter.isZero()) {
                throw new IllegalArgumentException("retryAfter must be positive");
            }
        }

        @Override
        public boolean allowed() {
            return false;
        }
    }
}
