package dev.gatehouse.core.mfa;

/**
 * The outcome of {@link RecoveryCodes#redeem}: {@link Accepted} (the code is now spent) or {@link Rejected}, each
 * with how many unused codes remain, so the page can urge the user to regenerate when few are left. Sealed; a
 * caller that does not recognise an outcome must treat it as rejected.
 *
 * <pre>{@code
 * if (codes.redeem(user.id(), typed) instanceof RecoveryCodeRedemption.Accepted a && a.remaining() <= 2) {
 *     suggestRegenerating();
 * }
 * }</pre>
 */
public sealed interface RecoveryCodeRedemption
        permits RecoveryCodeRedemption.Accepted, RecoveryCodeRedemption.Rejected {

    /**
     * Whether the code was accepted, for predicates such as {@code AttemptLimiter.attempt}'s.
     *
     * @return {@code true} only for {@link Accepted}
     */
    boolean accepted();

    /**
     * Unused codes left after this attempt.
     *
     * @return zero or more
     */
    int remaining();

    /**
     * The code was one of the user's unused codes and is now spent.
     *
     * @param remaining unused codes left after this one
     */
    record Accepted(int remaining) implements RecoveryCodeRedemption {

        /** Checks the count. */
        public Accepted {
            checkRemaining(remaining);
        }

        @Override
        public boolean accepted() {
            return true;
        }
    }

    /**
     * The code was not one of the user's unused codes (or was malformed); nothing was spent.
     *
     * @param remaining unused codes the user still has
     */
    record Rejected(int remaining) implements RecoveryCodeRedemption {

        /** Checks the count. */
        public Rejected {
            checkRemaining(remaining);
        }

        @Override
        public boolean accepted() {
            return false;
        }
    }

    private static void checkRemaining(int remaining) {
        if (remaining < 0) {
            throw new IllegalArgumentException("remaining must not be negative");
        }
    }
}
