package dev.gatehouse.core.mfa;

import java.util.Objects;

/**
 * The outcome of {@link TotpService#verify} or {@link TotpService#confirm}: {@link Accepted} with the time step
 * the code matched, or {@link Rejected} with the reason. The reason is for logs and metrics; users should see one
 * message for all of them. Sealed; a caller that does not recognise an outcome must treat it as rejected.
 *
 * <pre>{@code
 * if (totp.verify(user.id(), typed) instanceof TotpVerification.Rejected r) {
 *     log.debug("TOTP refused: {}", r.reason());
 *     return refused();
 * }
 * }</pre>
 */
public sealed interface TotpVerification permits TotpVerification.Accepted, TotpVerification.Rejected {

    /**
     * Whether the code was accepted, for predicates such as {@code AttemptLimiter.attempt}'s.
     *
     * @return {@code true} only for {@link Accepted}
     */
    boolean accepted();

    /** Why a code was rejected. */
    enum Reason {
        /** The code matched no step in the window (or was not {@code digits} digits). */
        INVALID_CODE,
        /** The code matched a step at or before the last accepted one (RFC 6238 §5.2). */
        REPLAYED,
        /** The user has no TOTP factor. */
        NOT_ENROLLED,
        /** {@code verify}: the factor is still pending; confirm it first. */
        PENDING_CONFIRMATION,
        /** {@code confirm}: the factor is already confirmed; use {@code verify}. */
        ALREADY_CONFIRMED;
    }

    /**
     * The code matched a fresh time step, which is now recorded as used.
     *
     * @param step the RFC 6238 time step the code matched
     */
    record Accepted(long step) implements TotpVerification {

        /** Checks the step. */
        public Accepted {
            if (step < 0) {
                throw new IllegalArgumentException("step must not be negative");
            }
        }

        @Override
        public boolean accepted() {
            return true;
        }
    }

    /**
     * The code was refused; nothing was recorded.
     *
     * @param reason why
     */
    record Rejected(Reason reason) implements TotpVerification {

        /** Checks the reason. */
        public Rejected {
            Objects.requireNonNull(reason, "reason must not be null");
        }

        @Override
        public boolean accepted() {
            return false;
        }
    }
}
